/**
 * The column values of a session's catalog row, computed from its record alone (no SQL), so
 * that the threads that read session files for a rebuild (`session_scan_worker.ts`) can
 * compute them too and the main thread only inserts.
 * @module
 */
import { rowTexts } from "./list_item.ts";
import { isResumable } from "./record.ts";
import type { SessionRecord } from "./record.ts";
import type { FileStamp } from "./session_file.ts";
import { timestampMs } from "./time.ts";
import type { SqlValue } from "./catalog_sql.ts";

/**
 * The columns of `sessions` that a row's values fill, in order; the write sequence number
 * (`seq`) is last because it is the one value the record does not decide.
 */
export const SESSION_COLUMNS = [
  "id",
  "backend",
  "status",
  "workdir",
  "tags",
  "resumable",
  "last_used_ms",
  "created_ms",
  "mtime",
  "size",
  "ino",
  "item",
  "head",
  "record",
  "seq",
] as const;

/** Sort key of a timestamp: a record with a malformed one sorts oldest. */
function sortMs(value: string): number {
  const ms = timestampMs(value);
  return Number.isFinite(ms) ? ms : -8.64e15;
}

/** The values of a session's row, every column of {@linkcode SESSION_COLUMNS} but `seq`. */
export function rowColumns(record: SessionRecord, stamp: FileStamp): SqlValue[] {
  const texts = rowTexts(record);
  return [
    record.id,
    record.backend,
    record.status,
    record.workdir,
    JSON.stringify(record.tags),
    isResumable(record) ? 1 : 0,
    sortMs(record.last_used_at),
    sortMs(record.created_at),
    stamp.mtime,
    stamp.size,
    stamp.ino,
    texts.item,
    texts.head,
    texts.record,
  ];
}

/** A session's row ready to be stored: every value but `seq`, and its search document if asked. */
export interface PreparedRow {
  columns: SqlValue[];
  document?: string;
}

/** The row of `record` read with `stamp` (`fts`: with its search document). */
export function prepareRow(record: SessionRecord, stamp: FileStamp, fts: boolean): PreparedRow {
  const columns = rowColumns(record, stamp);
  return fts ? { columns, document: sessionDocument(record) } : { columns };
}

/** The body of a session's full-text document: title, first prompt and tags. */
export function sessionDocument(record: SessionRecord): string {
  return [record.title ?? "", record.prompt, record.tags.join(" ")].join("\n");
}
