/**
 * What every part of the file store shares: injected platform pieces, paths, the lock, the
 * catalog and the once-per-file bad-file reporter.
 * @module
 */
import type { Clock, Fs } from "../platform/types.ts";
import type { Catalog } from "./catalog.ts";
import type { StoreLock } from "./store_lock.ts";
import type { StorePaths } from "./store_paths.ts";

/** The store's dependencies and shared state. */
export interface StoreContext {
  fs: Fs;
  clock: Clock;
  pid: number;
  sleep: (ms: number) => Promise<void>;
  paths: StorePaths;
  lock: StoreLock;
  /** The SQLite catalog (use only while holding `lock`). */
  catalog: Catalog;
  lockTimeoutMs: number;
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
