/**
 * The store's cross-process lock: `sessions/.lock`, an advisory `flock`-style lock through
 * `Deno.FsFile` — exclusive for writes, shared for reads. Advisory locks die with their process,
 * so a crashed clinvk never leaves a stale lock and the file itself is never deleted.
 *
 * Locks belong to an open file, not to a process, so two operations of one process (e.g. two
 * requests of `clinvk serve`) exclude each other too; an in-process queue orders them first so
 * that only one of them waits for the file. Another process's lock is waited for in the kernel,
 * not by polling (`lock_wait.ts`). The flip side: code holding the lock must never take it again (the
 * public API cannot: `update`'s callback is synchronous).
 * @module
 */
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import type { Fs } from "../platform/types.ts";
import { formatSeconds } from "./backoff.ts";
import { waitForLock } from "./lock_wait.ts";
import { errorMessage, errorName, isADirectory, isNotFound } from "../platform/fs_errors.ts";
import { LocalRwLock } from "./local_lock.ts";
import { checkLayout } from "./store_layout.ts";
import { ensureStoreDirs } from "./store_paths.ts";
import type { StorePaths } from "./store_paths.ts";

/** Whether a failed write means a read-only store (mount, or no write permission). */
export function isReadOnly(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return code === "EROFS" || code === "EACCES" || errorName(error) === "PermissionDenied";
}

/** Shared (many readers) or exclusive (one writer). */
export type LockMode = "shared" | "exclusive";

/** What {@linkcode StoreLock} needs. */
export interface StoreLockOptions {
  fs: Fs;
  paths: StorePaths;
  timeoutMs: number;
}

/** Holds `sessions/.lock` around a piece of metadata I/O. */
export class StoreLock {
  readonly #options: StoreLockOptions;
  readonly #local = new LocalRwLock();
  #dirsReady = false;

  constructor(options: StoreLockOptions) {
    this.#options = options;
  }

  /**
   * Runs `fn` while holding the lock in `mode`; throws exit 5 naming the lock file when another
   * process holds it longer than the timeout — or than `waitMs`, what is left of the timeout
   * after waiting for something else first (an update lock). With `tryOnly`, gives up at once
   * instead (and returns `undefined`) when another process holds it: for housekeeping nobody
   * waits for.
   */
  with<T>(mode: LockMode, fn: () => Promise<T>, options?: { waitMs: number }): Promise<T>;
  with<T>(mode: LockMode, fn: () => Promise<T>, options: { tryOnly: true }): Promise<T | undefined>;
  async with<T>(
    mode: LockMode,
    fn: () => Promise<T>,
    options?: { tryOnly: true } | { waitMs: number },
  ): Promise<T | undefined> {
    const releaseLocal = await this.#local.acquire(mode === "exclusive");
    try {
      const file = await this.#open();
      if (!file) return await fn();
      try {
        if (options && "tryOnly" in options) {
          if (!(await file.tryLock(mode === "exclusive"))) return undefined;
        } else {
          await this.#acquire(file, mode, options?.waitMs);
        }
        return await fn();
      } finally {
        // Closing the file releases the lock.
        file.close();
      }
    } finally {
      releaseLocal();
    }
  }

  async #acquire(file: Deno.FsFile, mode: LockMode, waitMs?: number): Promise<void> {
    const { timeoutMs, paths } = this.#options;
    const locked = await waitForLock(
      file,
      mode === "exclusive",
      Math.max(0, Math.min(waitMs ?? timeoutMs, timeoutMs)),
    );
    if (!locked) {
      throw new ClinvkError(
        `Timed out after ${
          formatSeconds(timeoutMs)
        } waiting for the session store lock ${paths.lock}`,
        ExitCode.Busy,
        "Another clinvk process is using the store; try again when it finishes " +
          "(raise session.lock_timeout_seconds to wait longer).",
      );
    }
  }

  async #open(): Promise<Deno.FsFile | undefined> {
    if (!this.#dirsReady) {
      await this.#prepare();
      this.#dirsReady = true;
    }
    try {
      return await this.#openLockFile();
    } catch (error) {
      if (isNotFound(error)) {
        // The user moved `sessions/` away (the guide's reset); start a fresh one.
        await this.#prepare();
        return await this.#openLockFile().catch((again) => this.#fail(again));
      }
      return this.#fail(error);
    }
  }

  /** Checks the layout before creating anything, then creates what is missing. */
  async #prepare(): Promise<void> {
    const { fs, paths } = this.#options;
    await checkLayout(fs, paths);
    try {
      await ensureStoreDirs(fs, paths);
    } catch (error) {
      // A read-only store can still be read; writes fail later with their own message.
      if (!isReadOnly(error)) throw error;
    }
  }

  /**
   * Opens `.lock` for writing (creating it), or read-only on a read-only store: a shared
   * lock needs no write access, so reads keep working there.
   */
  async #openLockFile(): Promise<Deno.FsFile | undefined> {
    const { fs, paths } = this.#options;
    try {
      return await fs.open(paths.lock, { read: true, write: true, create: true, mode: 0o600 });
    } catch (error) {
      if (!isReadOnly(error)) throw error;
      try {
        return await fs.open(paths.lock, { read: true });
      } catch (again) {
        // No lock file on a store nobody can write: there is no writer to keep out.
        if (isNotFound(again)) return undefined;
        throw again;
      }
    }
  }

  #fail(error: unknown): never {
    const { paths } = this.#options;
    if (isADirectory(error)) {
      throw usageError(
        `Cannot lock the session store: ${paths.lock} is a directory`,
        `Remove it (\`rmdir ${paths.lock}\`); clinvk recreates the lock file.`,
      );
    }
    if (errorName(error) === "PermissionDenied") {
      throw usageError(
        `Cannot open the session store lock ${paths.lock}: ${errorMessage(error)}`,
        `Make ${paths.dir} writable by your user.`,
      );
    }
    throw error;
  }
}
