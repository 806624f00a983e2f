/**
 * The one place clinvk runs a backend process: argv arrays (never a shell string), the
 * session's working directory, stdin closed unless a prompt is piped, output streamed line by
 * line, a timeout that kills a stuck backend, and Ctrl-C forwarded to it.
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import { type Platform, SpawnError } from "../platform/types.ts";
import { forEachLine } from "./lines.ts";

/** What to run and where its output goes. */
export interface ProcessRun {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  stdinText?: string;
  /** Kill the process after this many milliseconds (0 or undefined: no limit). */
  timeoutMs?: number;
  onStdoutLine(line: string): void;
  onStderrLine?(line: string): void;
}

/** How a process ended. */
export interface ProcessOutcome {
  /** The process's exit code; 124 on timeout, 130 on interrupt. */
  exitCode: number;
  timedOut: boolean;
  interrupted: boolean;
  /** Everything it wrote to stderr. */
  stderr: string;
  durationMs: number;
}

/** Grace period between asking a process to stop and killing it. */
const KILL_GRACE_MS = 2000;

/** Thrown when the executable does not exist; the caller adds an install hint. */
export class CommandNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`Command not found: ${command}`);
    this.name = "CommandNotFoundError";
  }
}

/**
 * Runs a process to completion. Throws {@linkcode CommandNotFoundError} when the command does
 * not exist and a `ClinvkError` (exit 2) when Deno denies running it.
 */
export async function runProcess(platform: Platform, run: ProcessRun): Promise<ProcessOutcome> {
  const started = platform.clock.now().getTime();
  let child;
  try {
    child = platform.spawn({
      command: run.command,
      args: run.args,
      cwd: run.cwd,
      env: run.env,
      stdinText: run.stdinText,
    });
  } catch (error) {
    throw spawnError(error, run);
  }

  let timedOut = false;
  let interrupted = false;
  const stop = (signal: "SIGTERM" | "SIGINT") => {
    child.kill(signal);
    // A backend that ignores the polite signal (or retries for minutes) is killed for real.
    killTimer ??= setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  };
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const timeoutTimer = run.timeoutMs && run.timeoutMs > 0
    ? setTimeout(() => {
      timedOut = true;
      stop("SIGTERM");
    }, run.timeoutMs)
    : undefined;
  const removeInterrupt = platform.onInterrupt(() => {
    interrupted = true;
    stop("SIGINT");
  });

  let stderr = "";
  try {
    const [status] = await Promise.all([
      child.status,
      forEachLine(child.stdout, run.onStdoutLine),
      forEachLine(child.stderr, (line) => {
        stderr += line + "\n";
        run.onStderrLine?.(line);
      }),
    ]);
    const exitCode = timedOut ? ExitCode.Timeout : interrupted ? ExitCode.Interrupted : status.code;
    return {
      exitCode,
      timedOut,
      interrupted,
      stderr,
      durationMs: platform.clock.now().getTime() - started,
    };
  } finally {
    clearTimeout(timeoutTimer);
    clearTimeout(killTimer);
    removeInterrupt();
  }
}

function spawnError(error: unknown, run: ProcessRun): Error {
  if (!(error instanceof SpawnError)) {
    return error instanceof Error ? error : new Error(String(error));
  }
  switch (error.failure) {
    case "not-found":
      return new CommandNotFoundError(run.command);
    case "permission-denied":
      return new ClinvkError(
        `Not allowed to run "${run.command}": ${error.message}`,
        ExitCode.Usage,
        "Grant it with --allow-run (see README, Permissions).",
      );
    case "bad-cwd":
      return new ClinvkError(
        `Cannot start "${run.command}": working directory ${run.cwd} does not exist`,
        ExitCode.Usage,
        "Pass an existing directory with -w.",
      );
    default:
      return new ClinvkError(
        `Cannot start "${run.command}": ${error.message}`,
        ExitCode.BackendFailed,
      );
  }
}
