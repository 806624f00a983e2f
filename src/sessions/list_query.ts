/**
 * `list`: sessions matching a filter, newest first, as full records. With a limit the
 * catalog names the newest matching sessions and only their files are read (each compared
 * with its row, so an in-place edit of one of them is noticed); without one every record
 * comes from the catalog after every file's stamp was compared with its row — and for
 * `sessions list --json`, the printed text itself ({@linkcode listSessionsJson}).
 * @module
 */
import { join } from "node:path";
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { readCatalog, RESYNC } from "./catalog_access.ts";
import type { Retry } from "./catalog_access.ts";
import { badRows, listJsonPieces, querySessions } from "./catalog_sessions.ts";
import type { SessionRow } from "./catalog_sessions.ts";
import { scanDir } from "./catalog_sync.ts";
import { rowRecord, rowTexts } from "./list_item.ts";
import { isResumable } from "./record.ts";
import type { SessionRecord } from "./record.ts";
import { readRecord } from "./session_file.ts";
import type { StoreContext } from "./store_context.ts";
import { sessionPath } from "./store_paths.ts";
import type { SessionFilter } from "./store_types.ts";
import { timestampMs } from "./time.ts";

/** Whether a record passes every given filter (`limit` aside). */
export function recordMatches(record: SessionRecord, filter: SessionFilter): boolean {
  if (filter.backend !== undefined && record.backend !== filter.backend) return false;
  if (filter.status !== undefined && record.status !== filter.status) return false;
  if (filter.workdir !== undefined && record.workdir !== filter.workdir) return false;
  if (filter.resumable !== undefined && isResumable(record) !== filter.resumable) return false;
  return (filter.tags ?? []).every((tag) => record.tags.includes(tag));
}

/** Whether a file's record is the one its row holds. */
function sameAsRow(record: SessionRecord, row: SessionRow): boolean {
  const texts = rowTexts(record);
  return texts.item === row.item && texts.head === row.head && texts.record === row.record;
}

/**
 * Reads the files of `rows`. Rows whose file is missing, bad or different are `stale`; on
 * the last try a different-but-valid record is used if it still matches the filter.
 */
export async function readRows(
  ctx: StoreContext,
  rows: readonly SessionRow[],
  filter: SessionFilter,
  lastTry: boolean,
): Promise<SessionRecord[] | Retry> {
  const records: SessionRecord[] = [];
  const stale: string[] = [];
  let reordered = false;
  for (const row of rows) {
    const path = sessionPath(ctx.paths, row.id);
    const read = await readRecord(ctx.fs, path, row.id);
    if (read.kind === "bad") ctx.reportBad(path, read.reason);
    if (read.kind === "ok" && sameAsRow(read.record, row)) {
      records.push(read.record);
      continue;
    }
    stale.push(row.id);
    if (lastTry && read.kind === "ok" && recordMatches(read.record, filter)) {
      records.push(read.record);
      reordered = true;
    }
  }
  if (stale.length > 0 && !lastTry) return { retry: "recheck", ids: stale };
  if (reordered) {
    records.sort((a, b) => timestampMs(b.last_used_at) - timestampMs(a.last_used_at));
  }
  return records;
}

/**
 * Answers `answer` for every session once every file's stamp was compared with its row (a
 * full listing is where in-place edits are noticed), reporting bad files.
 */
async function afterFullCheck<T>(
  ctx: StoreContext,
  db: SqliteDatabase,
  lastTry: boolean,
  answer: () => T,
): Promise<T | Retry> {
  // The answer is made while the threads look at the files (on a large store the other core
  // does most of the looking meanwhile), and dropped if they find a difference.
  const early: T[] = [];
  if (!lastTry && (await scanDir(ctx, db, { meanwhile: () => early.push(answer()) })).differs) {
    return RESYNC;
  }
  for (const bad of badRows(db)) ctx.reportBad(join(ctx.paths.dir, bad.name), bad.reason);
  return early.length > 0 ? early[0]! : answer();
}

/** Sessions matching `filter`, newest `last_used_at` first, at most `filter.limit`. */
export async function listSessions(
  ctx: StoreContext,
  filter: SessionFilter,
): Promise<SessionRecord[]> {
  const limit = filter.limit;
  return await readCatalog(ctx, async (db, lastTry) => {
    if (limit === undefined) {
      return await afterFullCheck(ctx, db, lastTry, () => querySessions(db, filter).map(rowRecord));
    }
    if (limit <= 0) return [];
    return await readRows(ctx, querySessions(db, filter, limit), filter, lastTry);
  });
}

/**
 * The text of `sessions list --json` for `filter` (no limit), in pieces: the stored items
 * joined by SQLite, with the same full check as {@linkcode listSessions}.
 */
export async function listSessionsJson(
  ctx: StoreContext,
  filter: SessionFilter,
): Promise<Uint8Array[]> {
  return await readCatalog(
    ctx,
    (db, lastTry) => afterFullCheck(ctx, db, lastTry, () => listJsonPieces(db, filter)),
  );
}
