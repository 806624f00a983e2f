/**
 * The run store's locks: `runs/.lock`, an advisory lock around every read-modify-write of a run
 * record (exclusive for writes, shared for reads — the session store's rule), and one lease file
 * per run, `runs/.leases/<id>`, held by the process driving that run for as long as it runs.
 * Advisory locks die with their process, so a killed clinvk never leaves a stale one.
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import type { Fs } from "../platform/types.ts";
import { formatSeconds, retryWithBackoff } from "../sessions/backoff.ts";

/** Shared (many readers) or exclusive (one writer). */
export type LockMode = "shared" | "exclusive";

/** What {@linkcode StoreFileLock} needs. */
export interface FileLockOptions {
  fs: Fs;
  path: string;
  timeoutMs: number;
  sleep(ms: number): Promise<void>;
  /** Creates the directories the lock file lives in. */
  ensureDirs(): Promise<void>;
}

/** Holds one lock file around short pieces of metadata I/O. */
export class StoreFileLock {
  readonly #options: FileLockOptions;
  // Calls of this process queue here first, so they wake in order instead of polling the file.
  #queue: Promise<unknown> = Promise.resolve();

  /** A lock on `options.path`. */
  constructor(options: FileLockOptions) {
    this.#options = options;
  }

  /** Runs `fn` holding the lock; exit 5 naming the file when it stays taken past the timeout. */
  with<T>(mode: LockMode, fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#locked(mode, fn));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #locked<T>(mode: LockMode, fn: () => Promise<T>): Promise<T> {
    const { fs, path, timeoutMs, sleep } = this.#options;
    const open = () => fs.open(path, { read: true, write: true, create: true, mode: 0o600 });
    let file: Deno.FsFile;
    try {
      file = await open();
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.#options.ensureDirs();
      file = await open();
    }
    try {
      const locked = await retryWithBackoff(
        () => file.tryLock(mode === "exclusive"),
        timeoutMs,
        sleep,
      );
      if (!locked) {
        throw new ClinvkError(
          `Timed out after ${formatSeconds(timeoutMs)} waiting for the run store lock ${path}`,
          ExitCode.Busy,
          "Another clinvk process is using it; try again when it finishes.",
        );
      }
      return await fn();
    } finally {
      file.close();
    }
  }
}

/** Who drives a run, as written into its lease file. */
export interface LeaseHolder {
  pid: number;
  started_at: string;
  command?: string;
}

/** Proof that this process drives a run; release it when the run stops. */
export interface RunLease extends AsyncDisposable {
  readonly runId: string;
  release(): Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Takes the lease file at `path` if nobody holds it. Returns `undefined` when another process
 * does (the caller reads the holder for its message).
 */
export async function tryLeaseFile(
  fs: Fs,
  path: string,
  runId: string,
  holder: LeaseHolder,
): Promise<RunLease | undefined> {
  const file = await fs.open(path, { read: true, write: true, create: true, mode: 0o600 });
  if (!(await file.tryLock(true))) {
    file.close();
    return undefined;
  }
  try {
    await file.truncate(0);
    await file.write(encoder.encode(JSON.stringify(holder) + "\n"));
  } catch (error) {
    file.close();
    throw error;
  }
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    try {
      await file.unlock();
    } finally {
      file.close();
    }
  };
  return { runId, release, [Symbol.asyncDispose]: release };
}

/** Whether some process holds the lease file at `path` (without creating it). */
export async function leaseHeld(fs: Fs, path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await fs.open(path, { read: true, write: true });
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  try {
    if (!(await file.tryLock(false))) return true;
    await file.unlock();
    return false;
  } finally {
    file.close();
  }
}

/** "process 123 (clinvk parallel, since …)" from a lease file's text. */
export function describeLeaseHolder(text: string | undefined): string {
  try {
    const holder = JSON.parse(text ?? "") as LeaseHolder;
    if (typeof holder.pid !== "number") return "another process";
    const details = [holder.command, holder.started_at && `since ${holder.started_at}`]
      .filter(Boolean).join(", ");
    return `process ${holder.pid}${details ? ` (${details})` : ""}`;
  } catch {
    return "another process";
  }
}
