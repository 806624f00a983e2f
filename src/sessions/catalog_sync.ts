/**
 * Keeping the catalog in step with the files.
 *
 * - **Is it current?** Every clinvk write (temp file + rename, delete) happens under the
 *   exclusive store lock and is followed, in the same lock, by a catalog commit that records
 *   the `sessions/` directory's mtime and inode (`dir_stamp`). A file added, removed or
 *   renamed by anyone else — `rm`, `jq … > tmp && mv tmp x.json`, the whole directory moved
 *   away and recreated — changes that stamp, so "the stamp matches" means the catalog is
 *   current, at the cost of one `stat`. Before changing any file a writer sets `writing`;
 *   a writer killed between its rename and its commit leaves it set, which forces a resync
 *   whatever the directory's mtime resolution (a kernel tick may hide the rename).
 * - **In-place edits** (an editor writing into the file) leave the directory alone. Whoever
 *   reads a file for a listed row compares its text with the row's (`list --limit`, `-c`,
 *   `--last`, prefix lookup), and a full listing compares every file's mtime, size and inode
 *   with the row's; a difference is fixed before the answer is given. Limit: an in-place
 *   edit of a session that such a read does not look at — say, an old session edited to be
 *   the newest — is noticed by the next full listing (`sessions list`, `--json`), `doctor`,
 *   or any change to the directory; not by `list --limit`, `-c` or `--last` alone.
 * - **Limit, by design**: a file added or renamed by hand within the same tick of the
 *   directory's mtime clock (a few milliseconds) as clinvk's last write looks like that write;
 *   it is noticed by the next full listing or the next change to the directory.
 * - **Resync**: list the directory, look at every `*.json` (`lstat`, and `stat` of a link's
 *   target), reread only files whose stamp differs from their row, and record bad files;
 *   crashed writers' temp files found on the way are swept (and the directory looked at
 *   again). Exclusive lock. A new catalog reads every file while looking, and stores each
 *   slice's rows as soon as it is read. On a large store the looking and reading is spread
 *   over worker threads (`session_scan_threads.ts`), with the same result.
 * @module
 */
import { join, sep } from "node:path";
import type { SqliteDatabase } from "../platform/sqlite.ts";
import type { Fs } from "../platform/types.ts";
import { getMeta, run, setMeta, transaction, transactionAsync } from "./catalog_sql.ts";
import type { PreparedRow } from "./catalog_row.ts";
import {
  badRows,
  bulkLoad,
  deleteSession,
  ftsReady,
  nextSeq,
  noSessionRows,
  replaceBadRows,
  sessionCount,
  startStaging,
  storedStamps,
  upsertRow,
  upsertSession,
} from "./catalog_sessions.ts";
import type { BadRow, SessionWrite } from "./catalog_sessions.ts";
import { isValidId } from "./ids.ts";
import { readRecord, sameStamp } from "./session_file.ts";
import type { FileStamp } from "./session_file.ts";
import { SCANNED, scannedStamp } from "./session_scan.ts";
import type { ScanRead, SessionDirListing, SessionScan } from "./session_scan.ts";
import { scanDirectory, scanFiles } from "./session_scan_threads.ts";
import type { StoreContext } from "./store_context.ts";
import { sweepTemps } from "./temp_sweep.ts";

/** The directory's stamp: mtime in ms and inode (a recreated directory gets a new inode). */
export async function observeDir(fs: Fs, dir: string): Promise<string> {
  const info = await fs.stat(dir);
  return `${info.mtime?.getTime() ?? 0}:${info.ino ?? 0}`;
}

/**
 * What to put before an entry's name for its path. `join` normalizes every path it makes: a
 * tenth of a 100,000-file scan, for names that are plain entries of a normalized directory.
 */
function entryPrefix(dir: string): string {
  return dir.endsWith(sep) ? dir : dir + sep;
}

/** Whether the catalog matches the directory as it is now. Any lock will do. */
export async function isCurrent(ctx: StoreContext, db: SqliteDatabase): Promise<boolean> {
  return matchesDir(db, await observeDir(ctx.fs, ctx.paths.dir));
}

/** Whether the catalog recorded `dir` ({@linkcode observeDir}'s stamp) and no write is under way. */
export function matchesDir(db: SqliteDatabase, dir: string): boolean {
  return getMeta(db, "writing") !== "1" && getMeta(db, "dir_stamp") === dir;
}

/** Marks the catalog as out of date until the next commit. Exclusive lock, before writing. */
export function markWriting(db: SqliteDatabase): void {
  setMeta(db, "writing", "1");
}

/** Changes just made on disk. */
export interface CatalogChanges {
  upsert?: readonly SessionWrite[];
  deleted?: readonly string[];
  /** Bad files found (a file that turned bad since it was listed). */
  bad?: readonly BadRow[];
}

/** Applies `changes` without touching the stamp. Inside a transaction. */
function apply(db: SqliteDatabase, changes: CatalogChanges): void {
  for (const write of changes.upsert ?? []) {
    run(db, "DELETE FROM bad_files WHERE name = ?", `${write.record.id}.json`);
    upsertSession(db, write, nextSeq(db));
  }
  for (const id of changes.deleted ?? []) deleteSession(db, id);
  for (const bad of changes.bad ?? []) {
    deleteSession(db, bad.name.slice(0, -".json".length));
    run(
      db,
      "INSERT OR REPLACE INTO bad_files (name, reason, mtime, size, ino) VALUES (?, ?, ?, ?, ?)",
      bad.name,
      bad.reason,
      bad.mtime,
      bad.size,
      bad.ino,
    );
  }
}

/**
 * Records changes just made on disk (exclusive lock held) with the directory stamp observed
 * now, and clears `writing`.
 */
export async function commitChanges(
  ctx: StoreContext,
  db: SqliteDatabase,
  changes: CatalogChanges,
): Promise<void> {
  const stamp = await observeDir(ctx.fs, ctx.paths.dir);
  transaction(db, () => {
    apply(db, changes);
    setMeta(db, "dir_stamp", stamp);
    setMeta(db, "writing", "0");
  });
}

/** Fixes rows that a reader found different from their files; the stamp stays as it is. */
export async function recheck(
  ctx: StoreContext,
  db: SqliteDatabase,
  ids: readonly string[],
): Promise<void> {
  const changes = { upsert: [] as SessionWrite[], deleted: [] as string[], bad: [] as BadRow[] };
  for (const id of new Set(ids)) {
    const name = `${id}.json`;
    const read = await readRecord(ctx.fs, join(ctx.paths.dir, name), id);
    if (read.kind === "ok") changes.upsert.push(read);
    else if (read.kind === "missing") changes.deleted.push(id);
    else changes.bad.push({ name, reason: read.reason, ...read.stamp });
  }
  transaction(db, () => apply(db, changes));
}

/** A file new or changed since its row, and its row when the scan read it. */
export interface ChangedFile {
  name: string;
  stem: string;
  stamp: FileStamp;
  row?: PreparedRow;
}

/** What a look over the directory found, compared with the catalog. */
export interface DirScan {
  /** The directory's stamp, taken before it was listed. */
  stamp: string;
  /** Files new or changed since their row (or every file, with `rereadAll`). */
  changed: ChangedFile[];
  /** Ids whose file is gone. */
  gone: string[];
  /** Bad files, with reasons (unchanged ones as remembered). */
  bad: BadRow[];
  /** Names of `.tmp-*` files. */
  temps: string[];
  /** Whether anything differs from the catalog. */
  differs: boolean;
}

/** What {@linkcode scanDir} is asked. */
export interface ScanOptions {
  /** Count every file as changed. */
  rereadAll?: boolean;
  /** Read every file too (see {@linkcode scanDir}). */
  read?: ScanRead;
  /** Sweep crashed writers' temp files before looking (exclusive lock only). */
  sweep?: boolean;
  /** Given each slice's scan as soon as it is done (see `scanDirectory`). */
  onPart?: (part: SessionScan) => void;
  /**
   * This thread's own work, done while the threads (if any) look at the files, after the
   * catalog's stamps are read: a reader prepares its answer here, to be used only if nothing
   * {@linkcode DirScan.differs} (any lock holds the catalog still meanwhile).
   */
  meanwhile?: () => void;
}

/**
 * Looks at every `*.json` of the directory and compares it with the catalog. Any lock. With
 * `read`, every file is also read (`rereadAll`, or a catalog without rows: each file is new)
 * and `changed` carries the rows; without it, no session file is read.
 */
export async function scanDir(
  ctx: StoreContext,
  db: SqliteDatabase,
  options: ScanOptions = {},
): Promise<DirScan> {
  const rereadAll = options.rereadAll ?? false;
  const dir = entryPrefix(ctx.paths.dir);
  const list = async (listing: () => Promise<SessionDirListing>) => {
    let stamp = await observeDir(ctx.fs, ctx.paths.dir);
    let listed = await listing();
    if (options.sweep && listed.temps.length > 0) {
      // Sweeping changes the directory: list it again, with a stamp taken after it.
      await sweepTemps(ctx, listed.temps);
      stamp = await observeDir(ctx.fs, ctx.paths.dir);
      listed = await listing();
    }
    return { ...listed, stamp };
  };
  const { listed, scan, beside } = await scanDirectory(ctx, dir, {
    expected: sessionCount(db),
    read: options.read,
    list,
    // Read meanwhile, while a thread (if any) lists the directory and the others begin.
    beside: () => ({
      stored: storedStamps(db),
      knownBad: new Map(badRows(db).map((row) => [row.name, row])),
    }),
    meanwhile: options.meanwhile,
    onPart: options.onPart,
  });
  const { names, temps, stamp } = listed;
  const { stored, knownBad } = beside;
  // The common case first: a file as its row says (no object made, no string cut).
  const slow: number[] = [];
  const { kinds, stamps } = scan;
  const found = new Uint8Array(stored.mtime.length);
  for (let at = 0; at < names.length; at++) {
    const kind = kinds[at];
    if (kind === SCANNED.missing) continue; // Removed meanwhile.
    const index = stored.index.get(names[at]!);
    if (index !== undefined) found[index] = 1;
    if (
      kind !== SCANNED.file || rereadAll || index === undefined ||
      stored.mtime[index] !== stamps[at * 3] || stored.size[index] !== stamps[at * 3 + 1] ||
      stored.ino[index] !== stamps[at * 3 + 2]
    ) slow.push(at);
  }
  const changed: ChangedFile[] = [];
  const bad: BadRow[] = [];
  let badChanged = false;
  let reason = 0;
  let row = 0;
  // Reasons and rows come in the order of the names, and every name they belong to is slow.
  for (const at of slow) {
    const kind = kinds[at];
    const name = names[at]!;
    const stem = name.slice(0, -".json".length);
    const index = stored.index.get(name);
    const fileStamp = scannedStamp(scan, at);
    const prior = knownBad.get(name);
    knownBad.delete(name);
    if (kind === SCANNED.bad || !isValidId(stem)) {
      const why = kind === SCANNED.bad
        ? scan.reasons[reason++]!
        : "file name is not a valid session id";
      bad.push({ name, reason: why, ...fileStamp });
      if (
        index !== undefined || !prior || prior.reason !== why || !sameStamp(prior, fileStamp)
      ) badChanged = true;
      continue;
    }
    if (kind === SCANNED.row) {
      changed.push({ name, stem, stamp: fileStamp, row: scan.rows[row++]! });
      continue;
    }
    if (!rereadAll && prior && sameStamp(prior, fileStamp)) {
      bad.push(prior);
      continue;
    }
    changed.push({ name, stem, stamp: fileStamp });
  }
  const gone: string[] = [];
  for (const [name, at] of stored.index) {
    if (found[at] === 0) gone.push(name.slice(0, -".json".length));
  }
  if (knownBad.size > 0) badChanged = true;
  const differs = changed.length > 0 || gone.length > 0 || badChanged || temps.length > 0;
  return { stamp, changed, gone, bad, temps, differs };
}

/**
 * Brings the catalog up to date with the directory (see the module comment) and returns the
 * bad files. Exclusive lock (or a private in-memory catalog). Changed files are read and
 * their rows written inside one transaction; an empty table (a new catalog) is bulk-loaded
 * ({@linkcode bulkLoad}).
 */
export async function syncCatalog(
  ctx: StoreContext,
  db: SqliteDatabase,
  options: { rereadAll?: boolean; sweep: boolean; report?: boolean },
): Promise<BadRow[]> {
  const fts = ftsReady(db);
  const bad: BadRow[] = [];
  await transactionAsync(db, async () => {
    // A catalog without rows (new, or of only bad files) reads every file while looking, and
    // stores the rows of each slice as soon as it is read, while the threads read on.
    const fresh = noSessionRows(db);
    const staging = fresh ? startStaging(db) : undefined;
    const scan = await scanDir(ctx, db, {
      rereadAll: options.rereadAll,
      read: options.rereadAll || fresh ? { fts } : undefined,
      sweep: options.sweep,
      onPart: staging && ((part) => staging.add(part.rows)),
    });
    bad.push(...scan.bad);
    const gone = new Set(scan.gone);
    const rows: PreparedRow[] = [];
    const unread = scan.changed.filter((file) => !file.row);
    if (!staging) { for (const file of scan.changed) if (file.row) rows.push(file.row); }
    if (unread.length > 0) {
      const names = unread.map((file) => file.name);
      const more = await scanFiles(ctx, entryPrefix(ctx.paths.dir), names, { fts });
      let reason = 0;
      for (let at = 0; at < names.length; at++) {
        if (more.kinds[at] === SCANNED.bad) {
          bad.push({
            name: names[at]!,
            reason: more.reasons[reason++]!,
            ...scannedStamp(more, at),
          });
        }
      }
      for (const row of more.rows) rows.push(row);
    }
    // Files read by one resync share one sequence number, newer than every row's so far: on
    // a tie in `last_used_at` they sort after every known session, by `created_at` and id.
    const seq = nextSeq(db);
    if (staging) {
      staging.add(rows);
      bulkLoad(db, seq, fts);
    } else {
      for (const row of rows) upsertRow(db, row, seq, fts);
    }
    bad.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const row of bad) {
      const stem = row.name.slice(0, -".json".length);
      if (!gone.has(stem)) deleteSession(db, stem);
    }
    for (const id of gone) deleteSession(db, id);
    replaceBadRows(db, bad);
    setMeta(db, "dir_stamp", scan.stamp);
    setMeta(db, "writing", "0");
  });
  if (options.report === false) return bad;
  for (const row of bad) ctx.reportBad(join(ctx.paths.dir, row.name), row.reason);
  return bad;
}
