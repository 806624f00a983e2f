/**
 * Runs a helper program of a run — `git` for worktrees, a task's `check` command — through the
 * platform's process runner, collecting what it prints. Backends never run here: they go
 * through the turn engine.
 * @module
 */
import { type Platform, SpawnError } from "../platform/types.ts";

/** What to run. */
export interface CommandRun {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Stop it (SIGTERM, then SIGKILL after a grace period). */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Keep at most this many characters of output (the end). Default 64 KiB. */
  maxOutput?: number;
}

/** How it ended. */
export interface CommandResult {
  code: number;
  /** Stdout and stderr as they arrived, cut to the last `maxOutput` characters. */
  output: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

const KILL_GRACE_MS = 2000;

/**
 * Runs the command to its end.
 *
 * @throws {Error} with a one-line message when it cannot be started (missing program, denied
 * permission, missing directory).
 */
export async function runCommand(platform: Platform, run: CommandRun): Promise<CommandResult> {
  const started = platform.clock.now().getTime();
  let child;
  try {
    child = platform.spawn({ command: run.command, args: run.args, cwd: run.cwd, env: run.env });
  } catch (error) {
    const reason = error instanceof SpawnError ? error.failure : "other";
    const message = reason === "not-found"
      ? `${run.command} is not installed (not found on PATH)`
      : reason === "bad-cwd"
      ? `directory ${run.cwd} does not exist`
      : reason === "permission-denied"
      ? `not allowed to run ${run.command} (grant it with --allow-run)`
      : `cannot start ${run.command}: ${(error as Error).message}`;
    throw new Error(message);
  }
  const max = run.maxOutput ?? 64 * 1024;
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      if (output.length > 2 * max) output = output.slice(-max);
    }
  };
  let timedOut = false;
  let aborted = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    child.kill("SIGTERM");
    killTimer ??= setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  };
  const onAbort = () => {
    aborted = true;
    stop();
  };
  if (run.signal?.aborted) onAbort();
  run.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = run.timeoutMs
    ? setTimeout(() => {
      timedOut = true;
      stop();
    }, run.timeoutMs)
    : undefined;
  try {
    const [status] = await Promise.all([
      child.status,
      collect(child.stdout),
      collect(child.stderr),
    ]);
    return {
      code: timedOut ? 124 : aborted ? 130 : status.code,
      output: output.slice(-max),
      timedOut,
      aborted,
      durationMs: platform.clock.now().getTime() - started,
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    run.signal?.removeEventListener("abort", onAbort);
  }
}
