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
 *   again). Exclusive lock.
 * @module
 */
import { join, sep } from "node:path";
import { TEMP_PREFIX } from "./atomic_write.ts";
import type { SqliteDatabase } from "../platform/sqlite.ts";
import type { Fs } from "../platform/types.ts";
import { getMeta, run, setMeta, transaction, transactionAsync } from "./catalog_sql.ts";
import {
  badRows,
  bulkLoad,
  bulkRow,
  deleteSession,
  ftsReady,
  nextSeq,
  noSessionRows,
  replaceBadRows,
  storedStamps,
  upsertSession,
} from "./catalog_sessions.ts";
import type { BadRow, BulkRow, SessionWrite } from "./catalog_sessions.ts";
import { isValidId } from "./ids.ts";
import { probeFile, readRecord, sameStamp } from "./session_file.ts";
import type { FileStamp } from "./session_file.ts";
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
  if (getMeta(db, "writing") === "1") return false;
  const stamp = getMeta(db, "dir_stamp");
  return stamp !== undefined && stamp === await observeDir(ctx.fs, ctx.paths.dir);
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

/** What a look over the directory found, compared with the catalog. */
export interface DirScan {
  /** The directory's stamp, taken before it was listed. */
  stamp: string;
  /** Files new or changed since their row (or every file, with `rereadAll`). */
  changed: { name: string; stem: string; stamp: FileStamp }[];
  /** Ids whose file is gone. */
  gone: string[];
  /** Bad files, with reasons (unchanged ones as remembered). */
  bad: BadRow[];
  /** Names of `.tmp-*` files. */
  temps: string[];
  /** Whether anything differs from the catalog. */
  differs: boolean;
}

/**
 * Looks at every `*.json` of the directory and compares it with the catalog, reading no
 * session file. Any lock.
 */
export async function scanDir(
  ctx: StoreContext,
  db: SqliteDatabase,
  rereadAll = false,
): Promise<DirScan> {
  const stamp = await observeDir(ctx.fs, ctx.paths.dir);
  const names: string[] = [];
  const temps: string[] = [];
  for await (const item of ctx.fs.readDir(ctx.paths.dir)) {
    if (item.name.startsWith(TEMP_PREFIX)) temps.push(item.name);
    else if (!item.name.startsWith(".") && item.name.endsWith(".json")) names.push(item.name);
  }
  const stored = storedStamps(db);
  const found = new Uint8Array(stored.mtime.length);
  const knownBad = new Map(badRows(db).map((row) => [row.name, row]));
  const inDir = entryPrefix(ctx.paths.dir);
  const changed: DirScan["changed"] = [];
  const bad: BadRow[] = [];
  let badChanged = false;
  for (const name of names) {
    const stem = name.slice(0, -".json".length);
    const probe = await probeFile(ctx.fs, inDir + name);
    if (probe.kind === "missing") continue; // Removed meanwhile.
    const at = stored.index.get(stem);
    if (at !== undefined) found[at] = 1;
    const prior = knownBad.get(name);
    knownBad.delete(name);
    if (!isValidId(stem) || probe.kind === "bad") {
      const reason = !isValidId(stem)
        ? "file name is not a valid session id"
        : (probe as { reason: string }).reason;
      bad.push({ name, reason, ...probe.stamp });
      if (at !== undefined || !prior || prior.reason !== reason || !sameStamp(prior, probe.stamp)) {
        badChanged = true;
      }
      continue;
    }
    const { mtime, size, ino } = probe.stamp;
    if (
      !rereadAll && at !== undefined && stored.mtime[at] === mtime &&
      stored.size[at] === size && stored.ino[at] === ino
    ) continue;
    if (!rereadAll && prior && sameStamp(prior, probe.stamp)) {
      bad.push(prior);
      continue;
    }
    changed.push({ name, stem, stamp: probe.stamp });
  }
  const gone: string[] = [];
  for (const [id, at] of stored.index) if (found[at] === 0) gone.push(id);
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
  let scan = await scanDir(ctx, db, options.rereadAll);
  if (options.sweep && scan.temps.length > 0) {
    // Sweeping changes the directory: look again, for a stamp taken after it.
    await sweepTemps(ctx, scan.temps);
    scan = await scanDir(ctx, db, options.rereadAll);
  }
  const bad = [...scan.bad];
  const gone = new Set(scan.gone);
  const inDir = entryPrefix(ctx.paths.dir);
  await transactionAsync(db, async () => {
    const fts = ftsReady(db);
    const bulk = scan.changed.length > 0 && noSessionRows(db) ? [] as BulkRow[] : undefined;
    // Files read by one resync share one sequence number, newer than every row's so far: on
    // a tie in `last_used_at` they sort after every known session, by `created_at` and id.
    const seq = nextSeq(db);
    for (const file of scan.changed) {
      const read = await readRecord(ctx.fs, inDir + file.name, file.stem, {
        kind: "file",
        stamp: file.stamp,
      });
      if (read.kind === "ok") {
        if (bulk) bulk.push(bulkRow(read, seq, fts));
        else upsertSession(db, read, seq, fts);
      } else if (read.kind === "bad") {
        bad.push({ name: file.name, reason: read.reason, ...read.stamp });
      }
    }
    if (bulk) bulkLoad(db, bulk);
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
