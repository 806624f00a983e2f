/**
 * The lock around a read-modify-write of config.yaml, so that parallel `config set` runs of
 * different keys all land (without it each read the same old file and the last rename won).
 * While it is held, any `.config.yaml.tmp-*` left by a writer that was killed before its
 * rename is removed: such a file can hold secrets, and no live writer can own it.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import { tempPrefix } from "./atomic_write.ts";
import { isAlreadyExists, isNotFound } from "../platform/fs_errors.ts";
import type { Fs } from "../platform/types.ts";
import { formatSeconds, retryWithBackoff } from "../sessions/backoff.ts";

/** How long `config set` waits for another one to finish. */
export const CONFIG_LOCK_TIMEOUT_MS = 10_000;

/** Options of {@linkcode withConfigLock}. */
export interface ConfigLockOptions {
  fs: Fs;
  /** The config file's real path (links resolved), so every name of it shares one lock. */
  target: string;
  sleep: (ms: number) => Promise<void>;
  timeoutMs?: number;
}

/** The lock file of a config file: `.config.yaml.lock` beside it; never deleted. */
export function configLockPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.lock`);
}

/**
 * Opens the lock file without following a planted link: created with O_EXCL when missing,
 * otherwise opened only after lstat says it is a plain file, and the file opened must be the
 * one lstat saw. (Opening it never writes to it, so even a swapped file is not damaged.)
 */
async function openLockFile(fs: Fs, path: string): Promise<Deno.FsFile> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await fs.open(path, { read: true, write: true, createNew: true, mode: 0o600 });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    let seen: Deno.FileInfo;
    try {
      seen = await fs.lstat(path);
    } catch (error) {
      if (isNotFound(error)) continue; // removed in between; create it again
      throw error;
    }
    if (!seen.isFile) {
      throw usageError(
        `Cannot lock config: ${path} is ${seen.isSymlink ? "a symbolic link" : "not a file"}`,
        "clinvk never follows a link there; remove it and run the command again.",
      );
    }
    const file = await fs.open(path, { read: true, write: true });
    const opened = await file.stat();
    if (opened.ino === seen.ino && opened.dev === seen.dev) return file;
    file.close();
  }
  throw usageError(`Cannot lock config: ${path} keeps changing`, "Run the command again.");
}

async function sweepTemps(fs: Fs, target: string): Promise<void> {
  const prefix = tempPrefix(target);
  const dir = dirname(target);
  try {
    for await (const entry of fs.readDir(dir)) {
      if (entry.name.startsWith(prefix) && !entry.isDirectory) {
        await fs.remove(join(dir, entry.name)).catch(() => {});
      }
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * Runs `fn` holding the config file's exclusive lock, after sweeping the temp files of writers
 * that died before their rename. The directory must exist.
 *
 * @throws {ClinvkError} exit 5 when another clinvk holds the lock for longer than the timeout;
 * exit 2 when the lock path is a link or not a file.
 */
export async function withConfigLock<T>(
  options: ConfigLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const { fs, target, sleep } = options;
  const timeoutMs = options.timeoutMs ?? CONFIG_LOCK_TIMEOUT_MS;
  const path = configLockPath(target);
  const file = await openLockFile(fs, path);
  try {
    if (!await retryWithBackoff(() => file.tryLock(true), timeoutMs, sleep)) {
      throw new ClinvkError(
        `Timed out after ${formatSeconds(timeoutMs)} waiting for the config lock ${path}`,
        ExitCode.Busy,
        "Another clinvk is changing the config; try again when it finishes.",
      );
    }
    await sweepTemps(fs, target);
    return await fn();
  } finally {
    // Closing the file releases the lock.
    file.close();
  }
}
