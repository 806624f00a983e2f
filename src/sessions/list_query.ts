/**
 * `list`: sessions matching a filter, newest first, as full records. With a limit the
 * catalog names the newest matching sessions and only their files are read (each compared
 * with its row, so an in-place edit of one of them is noticed); without one every record
 * comes from the catalog after every file's stamp was compared with its row (that is
 * `sessions list --json`).
 * @module
 */
import { join } from "node:path";
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { readCatalog, RESYNC } from "./catalog_access.ts";
import type { Retry } from "./catalog_access.ts";
import { badRows, querySessions, recordText } from "./catalog_sessions.ts";
import type { SessionRow } from "./catalog_sessions.ts";
import { scanDir } from "./catalog_sync.ts";
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

/** The record a row holds (validated when it was stored). */
export function rowRecord(row: Pick<SessionRow, "id" | "text">): SessionRecord {
  return JSON.parse(row.text) as SessionRecord;
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
    if (read.kind === "ok" && recordText(read.record) === row.text) {
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

async function listAll(
  ctx: StoreContext,
  db: SqliteDatabase,
  filter: SessionFilter,
  lastTry: boolean,
): Promise<SessionRecord[] | Retry> {
  if (!lastTry && (await scanDir(ctx, db)).differs) return RESYNC;
  for (const bad of badRows(db)) ctx.reportBad(join(ctx.paths.dir, bad.name), bad.reason);
  return querySessions(db, filter).map(rowRecord);
}

/** Sessions matching `filter`, newest `last_used_at` first, at most `filter.limit`. */
export async function listSessions(
  ctx: StoreContext,
  filter: SessionFilter,
): Promise<SessionRecord[]> {
  const limit = filter.limit;
  return await readCatalog(ctx, async (db, lastTry) => {
    if (limit === undefined) return await listAll(ctx, db, filter, lastTry);
    if (limit <= 0) return [];
    return await readRows(ctx, querySessions(db, filter, limit), filter, lastTry);
  });
}
