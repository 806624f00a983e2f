/**
 * Where everything of the session store lives. Only session files end in `.json`; everything
 * else clinvk keeps in `sessions/` is a dot-name, so `for f in sessions/*.json` sees sessions
 * only.
 * @module
 */
import { join } from "node:path";
import type { Fs } from "../platform/types.ts";
import { isAlreadyExists, isNotFound } from "../platform/fs_errors.ts";

/** Paths of the store under one `CLINVK_HOME`. */
export interface StorePaths {
  /** `CLINVK_HOME` (default `~/.clinvk`). */
  home: string;
  /** `<home>/sessions`, holding `<id>.json` files. */
  dir: string;
  /** Cross-process lock file; never deleted. */
  lock: string;
  /** The SQLite catalog (see `catalog.ts`). */
  catalog: string;
  /** Per-session turn journals, `<id>.jsonl` (see `turn_journal.ts`). */
  turns: string;
  /** One lease file per session that has ever been run. */
  leases: string;
  /** Update locks and the new files of updates in flight (see `update_locks.ts`). */
  staging: string;
  /** Quarantine for bad files moved by `doctor --fix`. */
  corrupt: string;
  /** Time of the last automatic retention run. */
  retentionStamp: string;
}

/** Builds the {@linkcode StorePaths} of a `CLINVK_HOME`. */
export function storePaths(home: string): StorePaths {
  const dir = join(home, "sessions");
  return {
    home,
    dir,
    lock: join(dir, ".lock"),
    catalog: join(dir, ".catalog.db"),
    turns: join(dir, ".turns"),
    leases: join(dir, ".leases"),
    staging: join(dir, ".staging"),
    corrupt: join(dir, ".corrupt"),
    retentionStamp: join(dir, ".retention-stamp"),
  };
}

/** Path of a session's file. */
export function sessionPath(paths: StorePaths, id: string): string {
  return join(paths.dir, `${id}.json`);
}

/** Path of a session's turn journal. */
export function journalPath(paths: StorePaths, id: string): string {
  return join(paths.turns, `${id}.jsonl`);
}

/** Path of a session's lease file (no `.json`: it is not a session). */
export function leasePath(paths: StorePaths, id: string): string {
  return join(paths.leases, id);
}

/**
 * Creates `path` with mode 0700 unless it exists. The explicit chmod undoes a umask that would
 * otherwise decide the mode; an existing directory keeps whatever mode its owner gave it.
 */
export async function ensurePrivateDir(fs: Fs, path: string): Promise<void> {
  try {
    await fs.mkdir(path, { mode: 0o700 });
  } catch (error) {
    if (isAlreadyExists(error)) return;
    if (!isNotFound(error)) throw error;
    await fs.mkdir(path, { recursive: true, mode: 0o700 });
  }
  await fs.chmod(path, 0o700).catch(() => {
    // Windows has no POSIX modes; the directory is still usable.
  });
}

/**
 * Creates `<home>`, `<home>/sessions`, `.leases/`, `.turns/` and `.staging/` (all 0700) when
 * missing.
 */
export async function ensureStoreDirs(fs: Fs, paths: StorePaths): Promise<void> {
  await ensurePrivateDir(fs, paths.home);
  await ensurePrivateDir(fs, paths.dir);
  await ensurePrivateDir(fs, paths.leases);
  // Made up front, like `.leases/`: created later it would change `sessions/` mid-use.
  await ensurePrivateDir(fs, paths.turns);
  await ensurePrivateDir(fs, paths.staging);
}
