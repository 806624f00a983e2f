/**
 * Runs one backend turn: builds the argv, starts the process, parses its stream into unified
 * events as they arrive, and reports one outcome. Knows nothing about sessions, so `serve`,
 * `parallel` and friends can reuse it.
 * @module
 */
import type {
  Backend,
  ErrorClass,
  TurnRequest,
  TurnResult,
  UnifiedEvent,
} from "../backends/types.ts";
import { ClinvkError, ExitCode } from "../errors.ts";
import type { Platform } from "../platform/types.ts";
import { CommandNotFoundError, runProcess, type StopCause } from "../runner/run_process.ts";
import { signalExitCode, StopRequest } from "../platform/stop_signals.ts";

/** One turn to run. */
export interface TurnRun {
  backend: Backend;
  /** Executable name or path (`backends.<name>.command` or the backend's default). */
  command: string;
  request: TurnRequest;
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Stop the backend when it prints nothing for this long. */
  idleTimeoutMs?: number;
  /** Aborting it stops the backend (see `runProcess`). */
  signal?: AbortSignal;
  /** Receives every unified event as soon as it is parsed. */
  onEvent?(event: UnifiedEvent): void;
}

/** How a turn ended. */
export interface TurnOutcome {
  result: TurnResult;
  /** 0 on success; the backend's own code on failure; 124 timeout; 128 + n for signal n. */
  exitCode: number;
  ok: boolean;
  timedOut: boolean;
  interrupted: boolean;
  /** Why clinvk stopped the backend, if it did. */
  stopped?: StopCause;
  durationSeconds: number;
  /** One-line reason when not ok. */
  error?: string;
  /** Why it failed, when not ok. */
  errorClass?: ErrorClass;
}

/** The argv clinvk runs for `run`, for `--dry-run` and logs. */
export function turnArgv(run: Pick<TurnRun, "backend" | "command" | "request">): string[] {
  return [run.command, ...run.backend.streamArgs(run.request)];
}

/**
 * Runs the turn to completion. Throws `ClinvkError` exit 3 when the backend CLI is missing;
 * every other failure is reported in the outcome.
 */
export async function executeTurn(platform: Platform, run: TurnRun): Promise<TurnOutcome> {
  const parser = run.backend.createStreamParser();
  const [command, ...args] = turnArgv(run);
  let outcome;
  try {
    outcome = await runProcess(platform, {
      command: command!,
      args,
      cwd: run.cwd,
      env: run.env,
      timeoutMs: run.timeoutMs,
      idleTimeoutMs: run.idleTimeoutMs,
      signal: run.signal,
      onStdoutLine(line) {
        for (const event of parser.push(line)) run.onEvent?.(event);
      },
    });
  } catch (error) {
    if (error instanceof CommandNotFoundError) throw backendNotFound(run);
    throw error;
  }
  const result = parser.result();
  const durationSeconds = Math.round(outcome.durationMs / 10) / 100;
  const error = failureReason(run, outcome, result);
  const ok = error === undefined;
  const stopped = outcome.stopped;
  const exitCode = ok
    ? 0
    : stopped
    ? stoppedExitCode(stopped)
    : outcome.exitCode || ExitCode.BackendFailed;
  return {
    result,
    exitCode,
    ok,
    timedOut: stopped?.kind === "timeout" || stopped?.kind === "idle",
    interrupted: stopped?.kind === "abort",
    stopped,
    durationSeconds,
    error,
    errorClass: ok ? undefined : errorClassOf(run.backend, outcome, result, error!),
  };
}

/** Time limits and stop requests are clinvk's own; every other failure the backend classifies. */
function errorClassOf(
  backend: Backend,
  outcome: { exitCode: number; stopped?: StopCause; stderr: string },
  result: TurnResult,
  message: string,
): ErrorClass {
  if (outcome.stopped) return outcome.stopped.kind === "abort" ? "interrupted" : "timeout";
  return backend.classifyError({
    message,
    raw: result.errorRaw,
    status: result.errorStatus,
    exitCode: outcome.exitCode,
    stderr: outcome.stderr,
  });
}

/** 124 for a time limit; 128 + n for a signal n; 130 for any other abort (Ctrl-C alike). */
function stoppedExitCode(stopped: StopCause): number {
  if (stopped.kind !== "abort") return ExitCode.Timeout;
  return stopped.reason instanceof StopRequest
    ? signalExitCode(stopped.reason.signal)
    : ExitCode.Interrupted;
}

function failureReason(
  run: TurnRun,
  outcome: { exitCode: number; stopped?: StopCause; stderr: string },
  result: TurnResult,
): string | undefined {
  const name = run.backend.name;
  const stopped = outcome.stopped;
  if (stopped?.kind === "timeout") {
    return `${name} timed out after ${seconds(stopped.afterMs)} and was stopped`;
  }
  if (stopped?.kind === "idle") {
    return `${name} printed nothing for ${seconds(stopped.afterMs)} and was stopped`;
  }
  if (stopped?.kind === "abort") {
    return stopped.reason instanceof StopRequest
      ? `${name} was interrupted (clinvk received ${stopped.reason.signal})`
      : `${name} was interrupted`;
  }
  if (result.error) return result.error;
  if (outcome.exitCode !== 0) {
    const fromStderr = run.backend.errorFromStderr(outcome.stderr);
    return fromStderr ?? `${name} exited with code ${outcome.exitCode}`;
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}

/** The exit-3 error for a backend CLI that is not installed, with how to install it. */
export function backendNotFound(run: Pick<TurnRun, "backend" | "command">): ClinvkError {
  return new ClinvkError(
    `Backend CLI "${run.command}" for ${run.backend.name} was not found on PATH`,
    ExitCode.BackendNotFound,
    `${run.backend.installHint} Or set backends.${run.backend.name}.command in config.yaml.`,
  );
}
