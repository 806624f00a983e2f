/**
 * What every part of the file store shares: injected platform pieces, paths, the lock, the
 * catalog and the once-per-file bad-file reporter.
 * @module
 */
import type { Clock, Fs, ProcessTable } from "../platform/types.ts";
import type { Catalog } from "./catalog.ts";
import type { StoreLock } from "./store_lock.ts";
import type { StorePaths } from "./store_paths.ts";
import type { Threads } from "../platform/threads.ts";
import type { UpdateLocks } from "./update_locks.ts";

/** How scans use worker threads, for tests (the defaults are in `session_scan_threads.ts`). */
export interface ScanTuning {
  /** From how many files a scan uses threads. */
  threadsFrom?: number;
  /** Leave every slice to the threads (this thread takes only what they fail). */
  threadsOnly?: boolean;
  /** How long to wait for a worker that holds a slice and does not answer. */
  workerWaitMs?: number;
}

/** The store's dependencies and shared state. */
export interface StoreContext {
  fs: Fs;
  clock: Clock;
  pid: number;
  sleep: (ms: number) => Promise<void>;
  paths: StorePaths;
  lock: StoreLock;
  /** Which update of a session goes first, taken before `lock` (see `update_locks.ts`). */
  updateLocks: UpdateLocks;
  /** The SQLite catalog (use only while holding `lock`). */
  catalog: Catalog;
  lockTimeoutMs: number;
  /** Worker threads for scans of many session files; without them, all on this thread. */
  threads?: Threads;
  /** This machine's processes: backends a dead lease holder left running are stopped. */
  processes?: ProcessTable;
  scanTuning?: ScanTuning;
  /** Draws a candidate id (checked against existing files by `create`). */
  newId: () => string;
  /** Prints a warning on stderr (one line, no trailing newline). */
  warn: (message: string) => void;
  /** Warns about a bad `*.json` file, at most once per path in this process. */
  reportBad: (path: string, reason: string) => void;
}

/** Builds the once-per-path reporter behind {@linkcode StoreContext.reportBad}. */
export function badFileReporter(warn: (message: string) => void): StoreContext["reportBad"] {
  const reported = new Set<string>();
  return (path, reason) => {
    if (reported.has(path)) return;
    reported.add(path);
    warn(`Skipping ${path}: ${reason}`);
  };
}
