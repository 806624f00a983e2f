/**
 * The one place clinvk runs a backend process: argv arrays (never a shell string), the
 * session's working directory, stdin closed unless a prompt is piped, output streamed line by
 * line, a time limit, an idle limit, and stop requests (Ctrl-C, SIGTERM, SIGHUP, an abort)
 * forwarded to the backend's whole process group, so that a CLI that re-spawns itself or a
 * wrapper script is stopped too. No process of the group outlives the run.
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import { type Child, type Platform, SpawnError } from "../platform/types.ts";
import { type LineReading, readLines } from "./lines.ts";
import { type StopSignal, stopSignalOf } from "../platform/stop_signals.ts";

/** What to run and where its output goes. */
export interface ProcessRun {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  stdinText?: string;
  /** Stop the process after this many milliseconds (0 or undefined: no limit). */
  timeoutMs?: number;
  /** Stop the process when it prints nothing, on stdout or stderr, for this long. */
  idleTimeoutMs?: number;
  /**
   * Aborting it stops the process: its group gets the signal of the abort reason (see
   * `StopRequest`; SIGINT for any other reason), then SIGKILL after the grace period.
   */
  signal?: AbortSignal;
  /** Told the process's pid (its group's id) as soon as it has started; must not throw. */
  onSpawn?(pid: number): void;
  onStdoutLine(line: string): void;
  onStderrLine?(line: string): void;
}

/** Why clinvk stopped a process. */
export type StopCause =
  | { kind: "timeout"; afterMs: number }
  | { kind: "idle"; afterMs: number }
  | { kind: "abort"; reason: unknown };

/** How a process ended. */
export interface ProcessOutcome {
  /** The process's exit code (128 + n when a signal n ended it). */
  exitCode: number;
  /** Set when clinvk stopped it. */
  stopped?: StopCause;
  /** What it wrote to stderr (the first {@linkcode MAX_STDERR_CHARS} characters). */
  stderr: string;
  durationMs: number;
}

/** Grace period between asking a process group to stop and killing it. */
export const KILL_GRACE_MS = 2000;

/**
 * How long to keep reading a finished process's pipes. A process that escaped the group
 * (`setsid`) may hold them open for ever; what the backend wrote before it exited is read long
 * before this.
 */
const PIPE_DRAIN_MS = 1000;

/** Stderr kept for error messages; a chatty backend must not fill memory. */
export const MAX_STDERR_CHARS = 256 * 1024;

/** Thrown when the executable does not exist; the caller adds an install hint. */
export class CommandNotFoundError extends Error {
  /** The command that was not found. */
  constructor(readonly command: string) {
    super(`Command not found: ${command}`);
    this.name = "CommandNotFoundError";
  }
}

/**
 * Runs a process to completion. Throws {@linkcode CommandNotFoundError} when the command does
 * not exist and a `ClinvkError` (exit 2) when Deno denies running it. A `signal` that is
 * already aborted starts nothing.
 */
export async function runProcess(platform: Platform, run: ProcessRun): Promise<ProcessOutcome> {
  const started = platform.clock.now().getTime();
  const elapsed = () => platform.clock.now().getTime() - started;
  if (run.signal?.aborted) {
    return {
      exitCode: 0,
      stopped: { kind: "abort", reason: run.signal.reason },
      stderr: "",
      durationMs: 0,
    };
  }
  let child: Child;
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
  run.onSpawn?.(child.pid);

  let stopped: StopCause | undefined;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stop = (cause: StopCause, signal: StopSignal) => {
    if (stopped) return;
    stopped = cause;
    child.kill(signal);
    // A backend that ignores the polite signal (or retries for minutes) is killed for real.
    killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  };
  const timeoutTimer = run.timeoutMs && run.timeoutMs > 0
    ? setTimeout(() => stop({ kind: "timeout", afterMs: run.timeoutMs! }, "SIGTERM"), run.timeoutMs)
    : undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const idleMs = run.idleTimeoutMs && run.idleTimeoutMs > 0 ? run.idleTimeoutMs : undefined;
  const resetIdle = () => {
    if (idleMs === undefined || stopped) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => stop({ kind: "idle", afterMs: idleMs }, "SIGTERM"), idleMs);
  };
  resetIdle();
  const onAbort = () => {
    const reason = run.signal?.reason;
    stop({ kind: "abort", reason }, stopSignalOf(reason));
  };
  run.signal?.addEventListener("abort", onAbort, { once: true });

  // A line handler that throws (a library caller's event sink) must not leave the backend
  // running, nor reject a read nobody awaits yet: the group is stopped, the pipes drained,
  // and the error thrown once the process has ended.
  let failed: { error: unknown } | undefined;
  const guarded = (onLine: (line: string) => void) => (line: string) => {
    if (failed) return;
    try {
      onLine(line);
    } catch (error) {
      failed = { error };
      stop({ kind: "abort", reason: error }, "SIGTERM");
    }
  };
  let stderr = "";
  const readers: LineReading[] = [
    readLines(child.stdout, guarded(run.onStdoutLine), resetIdle),
    readLines(
      child.stderr,
      guarded((line) => {
        if (stderr.length < MAX_STDERR_CHARS) stderr += line + "\n";
        run.onStderrLine?.(line);
      }),
      resetIdle,
    ),
  ];
  try {
    const status = await child.status;
    clearTimeout(timeoutTimer);
    clearTimeout(idleTimer);
    // A stopped wrapper may exit before the worker it started has finished its own clean-up:
    // give that the rest of the grace period.
    await drain(readers, stopped ? KILL_GRACE_MS : PIPE_DRAIN_MS);
    if (failed) throw failed.error;
    return { exitCode: status.code, stopped, stderr, durationMs: elapsed() };
  } finally {
    // Whatever the backend left running in its group (a re-spawned worker, a tool it started)
    // ends with the turn — also when reading its output failed.
    child.kill("SIGKILL");
    clearTimeout(timeoutTimer);
    clearTimeout(idleTimer);
    clearTimeout(killTimer);
    run.signal?.removeEventListener("abort", onAbort);
    for (const reader of readers) reader.cancel();
  }
}

/** Waits for the pipes to close, at most `limitMs`, then stops reading them. */
async function drain(readers: LineReading[], limitMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, limitMs));
  try {
    await Promise.race([Promise.all(readers.map((reader) => reader.done)), late]);
  } finally {
    clearTimeout(timer);
    for (const reader of readers) reader.cancel();
  }
  await Promise.all(readers.map((reader) => reader.done));
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
