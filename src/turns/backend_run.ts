/**
 * Running a planned turn's backend process: its stream parsed into unified events as they
 * arrive, and one outcome — the answer, or why it failed and what kind of failure that was.
 * Knows nothing about sessions.
 * @module
 */
import type { ErrorClass, TurnResult, UnifiedEvent } from "../backends/types.ts";
import { ClinvkError, ExitCode } from "../errors.ts";
import { signalExitCode, StopRequest } from "../platform/stop_signals.ts";
import type { Platform } from "../platform/types.ts";
import { CommandNotFoundError, runProcess, type StopCause } from "../runner/run_process.ts";
import type { TurnPlan } from "./plan.ts";

/** How to run it besides the plan. */
export interface RunOptions {
  timeoutMs?: number;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Variables the backend gets on top of the plan's. */
  env?: Record<string, string>;
  /** Told the backend's pid (its process group's id) once it has started; must not throw. */
  onSpawn?(pid: number): void;
  /**
   * Receives every unified event as soon as it is parsed. A failed turn reports exactly one
   * fatal `error` event (the backend's own, or one made here).
   */
  onEvent(event: UnifiedEvent): void;
}

/** How a backend run ended. */
export interface BackendOutcome {
  result: TurnResult;
  /** 0 on success; the backend's own code on failure; 124 time limit; 128 + n for signal n. */
  exitCode: number;
  ok: boolean;
  /** Why clinvk stopped the backend, if it did. */
  stopped?: StopCause;
  durationSeconds: number;
  /** One-line reason when not ok. */
  error?: string;
  /** Why it failed, when not ok. */
  errorClass?: ErrorClass;
}

/**
 * Runs the plan's backend to completion. Throws `ClinvkError` exit 3 when the backend CLI is
 * missing (and exit 2 when Deno may not run it); every other failure is in the outcome.
 */
export async function runBackend(
  platform: Platform,
  plan: TurnPlan,
  options: RunOptions,
): Promise<BackendOutcome> {
  const { backend } = plan;
  const parser = backend.createStreamParser();
  let fatalSent = false;
  const emit = (event: UnifiedEvent) => {
    if (event.type === "error" && event.fatal) {
      // A backend that repeats its final error (or a custom one reporting it on every line)
      // still prints it once.
      if (fatalSent) return;
      fatalSent = true;
    }
    options.onEvent(event);
  };
  if (plan.request.newSessionId !== undefined) {
    // The backend takes its id from clinvk: known before it prints anything.
    emit({ type: "init", backend: backend.name, backend_session_id: plan.request.newSessionId });
  }
  let outcome;
  try {
    outcome = await runProcess(platform, {
      command: plan.command,
      args: plan.args,
      cwd: plan.cwd,
      env: options.env ? { ...plan.env, ...options.env } : plan.env,
      timeoutMs: options.timeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      signal: options.signal,
      onSpawn: options.onSpawn,
      onStdoutLine(line) {
        for (const event of parser.push(line)) emit(event);
      },
    });
  } catch (error) {
    if (error instanceof CommandNotFoundError) throw backendNotFound(plan);
    throw error;
  }
  for (const event of parser.end?.() ?? []) emit(event);
  const result = parser.result();
  if (plan.request.newSessionId !== undefined) {
    result.backendSessionId ??= plan.request.newSessionId;
  }
  const durationSeconds = Math.round(outcome.durationMs / 10) / 100;
  const stopped = outcome.stopped;
  const error = failureReason(plan, outcome, result);
  if (error === undefined) return { result, exitCode: 0, ok: true, durationSeconds };
  if (!fatalSent) emit({ type: "error", message: error, fatal: true });
  return {
    result,
    exitCode: stopped ? stoppedExitCode(stopped) : outcome.exitCode || ExitCode.BackendFailed,
    ok: false,
    ...(stopped ? { stopped } : {}),
    durationSeconds,
    error,
    errorClass: stopped
      ? stopped.kind === "abort" ? "interrupted" : "timeout"
      : backend.classifyError({
        message: error,
        raw: result.errorRaw,
        status: result.errorStatus,
        exitCode: outcome.exitCode,
        stderr: outcome.stderr,
      }),
  };
}

/** 124 for a time limit; 128 + n for a signal n; 130 for any other abort (Ctrl-C alike). */
function stoppedExitCode(stopped: StopCause): number {
  if (stopped.kind !== "abort") return ExitCode.Timeout;
  return stopped.reason instanceof StopRequest
    ? signalExitCode(stopped.reason.signal)
    : ExitCode.Interrupted;
}

function failureReason(
  plan: TurnPlan,
  outcome: { exitCode: number; stopped?: StopCause; stderr: string },
  result: TurnResult,
): string | undefined {
  // The product name, capitalised: the message starts a sentence.
  const label = plan.backend.label;
  const name = label.charAt(0).toUpperCase() + label.slice(1);
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
    return plan.backend.errorFromStderr(outcome.stderr) ??
      `${name} exited with code ${outcome.exitCode}`;
  }
  return undefined;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}

/** The exit-3 error for a backend CLI that is not installed, with how to install it. */
export function backendNotFound(plan: Pick<TurnPlan, "backend" | "command">): ClinvkError {
  const { backend } = plan;
  return new ClinvkError(
    `Backend CLI "${plan.command}" for ${backend.name} was not found on PATH`,
    ExitCode.BackendNotFound,
    backend.kind === "custom"
      ? backend.installHint
      : `${backend.installHint} Or set backends.${backend.name}.command in config.yaml.`,
  );
}
