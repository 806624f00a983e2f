/**
 * Update locks: which `update()` of a session goes first, before the store lock is taken.
 * `update()` writes and fsyncs its new file before it takes the store lock (`staged_update.ts`),
 * so that the slow part of concurrent updates of different sessions overlaps; two updates of
 * the same session must still take turns, or the second would have staged a change of a record
 * that the first is about to replace. Each session maps to one of {@linkcode STRIPES} lock files
 * in `sessions/.staging/` (a fixed set: nothing to clean up, and two sessions that share one
 * only take turns).
 *
 * Correctness never rests on these locks: the store lock, under which the staged file is
 * checked against the session file before it is renamed over it, does. So a lock that cannot
 * be had — a read-only store, `sessions/` moved away, a holder that takes too long — is
 * not an error: the update then runs entirely under the store lock, as it always could.
 * Like the store lock they are waited for in the kernel (`lock_wait.ts`), and always *before*
 * the store lock, never while holding it.
 * @module
 */
import { join } from "node:path";
import type { Fs } from "../platform/types.ts";
import { LocalRwLock } from "./local_lock.ts";
import { waitForLock } from "./lock_wait.ts";
import type { StorePaths } from "./store_paths.ts";

/** Lock files in `sessions/.staging/`; two of 4 sessions share one with odds of 1 in 43. */
export const STRIPES = 256;

/** The stripe of a session id (FNV-1a over its characters). */
export function stripeOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0) % STRIPES;
}

/** Name of a stripe's files in `sessions/.staging/`, e.g. `0a7`. */
export function stripeName(stripe: number): string {
  return stripe.toString(16).padStart(3, "0");
}

/** What {@linkcode UpdateLocks} needs. */
export interface UpdateLocksOptions {
  fs: Fs;
  paths: StorePaths;
}

/** The update locks of one store, for one process. */
export class UpdateLocks {
  readonly #options: UpdateLocksOptions;
  /** In-process queues in front of the files, as for the store lock. */
  readonly #local = new Map<number, LocalRwLock>();

  constructor(options: UpdateLocksOptions) {
    this.#options = options;
  }

  /**
   * Runs `fn` holding the update lock of session `id` — or, when it cannot be had within
   * `waitMs`, without it (`held` false).
   */
  async with<T>(id: string, waitMs: number, fn: (held: boolean) => Promise<T>): Promise<T> {
    const stripe = stripeOf(id);
    let local = this.#local.get(stripe);
    if (!local) this.#local.set(stripe, local = new LocalRwLock());
    const releaseLocal = await local.acquire(true);
    try {
      const file = await this.#open(stripe);
      if (!file) return await fn(false);
      try {
        return await fn(await waitForLock(file, true, waitMs));
      } finally {
        file.close(); // Releases the lock.
      }
    } finally {
      releaseLocal();
    }
  }

  async #open(stripe: number): Promise<Deno.FsFile | undefined> {
    const { fs, paths } = this.#options;
    try {
      const path = join(paths.staging, `${stripeName(stripe)}.lock`);
      return await fs.open(path, { read: true, write: true, create: true, mode: 0o600 });
    } catch {
      return undefined; // Whatever it is, the store lock's path will say it, or cope.
    }
  }
}
