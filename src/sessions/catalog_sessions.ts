/**
 * The session rows of the catalog: writing them from records, and the queries `list`,
 * `resolve` and `clean` ask. Rows carry the record (as validated, compact JSON), so a listing needs no file
 * reads, and its stamp (mtime, size, inode), so a resync rereads only files that changed.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { all, getMeta, one, run, setMeta, type SqlValue } from "./catalog_sql.ts";
import { isResumable } from "./record.ts";
import type { SessionRecord } from "./record.ts";
import type { FileStamp } from "./session_file.ts";
import type { SessionFilter } from "./store_types.ts";
import { timestampMs } from "./time.ts";

/** A session file as read, ready to be stored. */
export interface SessionWrite {
  record: SessionRecord;
  /** The file's text as read (the row keeps the validated record instead). */
  text: string;
  stamp: FileStamp;
}

/** A row as queries return it. */
export interface SessionRow extends FileStamp {
  id: string;
  text: string;
  last_used_ms: number;
  seq: number;
}

/** A bad file as the catalog remembers it. */
export interface BadRow extends FileStamp {
  name: string;
  reason: string;
}

const ROW = "id, text, last_used_ms, seq, mtime, size, ino";

/**
 * How a row holds a record: the validated record as compact JSON. A reader compares a file's
 * record with it — whatever the file's formatting — and a listing parses it without
 * validating again.
 */
export function recordText(record: SessionRecord): string {
  return JSON.stringify(record);
}

/** Sort key of a timestamp: a record with a malformed one sorts oldest. */
function sortMs(value: string): number {
  const ms = timestampMs(value);
  return Number.isFinite(ms) ? ms : -8.64e15;
}

/** The body of a session's full-text document: title, first prompt and tags. */
export function sessionDocument(record: SessionRecord): string {
  return [record.title ?? "", record.prompt, record.tags.join(" ")].join("\n");
}

/** Whether the full-text tables are built (they are filled on first search). */
export function ftsReady(db: SqliteDatabase): boolean {
  return getMeta(db, "fts") === "1";
}

/** Hands out the next `count` write sequence numbers; returns the first. Inside a transaction. */
export function nextSeq(db: SqliteDatabase, count = 1): number {
  const seq = Number(getMeta(db, "seq") ?? "0") + 1;
  setMeta(db, "seq", String(seq + count - 1));
  return seq;
}

/** Inserts or replaces the row of a session (and its search document). */
export function upsertSession(
  db: SqliteDatabase,
  write: SessionWrite,
  seq: number,
  fts: boolean = ftsReady(db),
): void {
  const { record, stamp } = write;
  const text = recordText(record);
  run(
    db,
    `INSERT INTO sessions (id, backend, status, model, created_at, last_used_at, last_used_ms,
       seq, workdir, title, prompt, tags, resumable, parent_id, total_tokens, mtime, size, ino, text)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET backend = excluded.backend, status = excluded.status,
       model = excluded.model, created_at = excluded.created_at,
       last_used_at = excluded.last_used_at, last_used_ms = excluded.last_used_ms,
       seq = excluded.seq, workdir = excluded.workdir, title = excluded.title,
       prompt = excluded.prompt, tags = excluded.tags, resumable = excluded.resumable,
       parent_id = excluded.parent_id, total_tokens = excluded.total_tokens,
       mtime = excluded.mtime, size = excluded.size, ino = excluded.ino, text = excluded.text`,
    record.id,
    record.backend,
    record.status,
    record.model,
    record.created_at,
    record.last_used_at,
    sortMs(record.last_used_at),
    seq,
    record.workdir,
    record.title ?? null,
    record.prompt,
    JSON.stringify(record.tags),
    isResumable(record) ? 1 : 0,
    record.parent_id ?? null,
    record.token_usage.total,
    stamp.mtime,
    stamp.size,
    stamp.ino,
    text,
  );
  if (fts) {
    const rid = one<{ rid: number }>(db, "SELECT rid FROM sessions WHERE id = ?", record.id)!.rid;
    run(db, "DELETE FROM session_fts WHERE rowid = ?", rid);
    run(db, "INSERT INTO session_fts (rowid, body) VALUES (?, ?)", rid, sessionDocument(record));
  }
}

/** Removes a session's row and search document (its turns stay until their journal goes). */
export function deleteSession(db: SqliteDatabase, id: string): void {
  const rid = one<{ rid: number }>(db, "SELECT rid FROM sessions WHERE id = ?", id)?.rid;
  if (rid === undefined) return;
  if (ftsReady(db)) run(db, "DELETE FROM session_fts WHERE rowid = ?", rid);
  run(db, "DELETE FROM sessions WHERE rid = ?", rid);
}

/** SQL conditions (over `sessions s`) and parameters for a filter. */
export function filterSql(filter: SessionFilter): { where: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (filter.backend !== undefined) parts.push("s.backend = ?"), params.push(filter.backend);
  if (filter.status !== undefined) parts.push("s.status = ?"), params.push(filter.status);
  if (filter.workdir !== undefined) parts.push("s.workdir = ?"), params.push(filter.workdir);
  if (filter.resumable !== undefined) {
    parts.push("s.resumable = ?");
    params.push(filter.resumable ? 1 : 0);
  }
  for (const tag of new Set(filter.tags ?? [])) {
    parts.push("EXISTS (SELECT 1 FROM json_each(s.tags) WHERE json_each.value = ?)");
    params.push(tag);
  }
  return { where: parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** Sessions matching `filter`, newest first (ties: the later write), at most `limit`. */
export function querySessions(
  db: SqliteDatabase,
  filter: SessionFilter,
  limit?: number,
): SessionRow[] {
  const { where, params } = filterSql(filter);
  const cap = limit === undefined ? "" : " LIMIT ?";
  return all<SessionRow>(
    db,
    `SELECT ${ROW.split(", ").map((c) => `s.${c}`).join(", ")} FROM sessions s ${where}
     ORDER BY s.last_used_ms DESC, s.seq DESC${cap}`,
    ...params,
    ...(limit === undefined ? [] : [limit]),
  );
}

/** Ids starting with `prefix` (sorted, at most `max`) and how many there are in all. */
export function idsWithPrefix(
  db: SqliteDatabase,
  prefix: string,
  max: number,
): { ids: string[]; total: number } {
  // Ids are [a-z0-9]; "{" sorts right after "z", so this range is exactly the prefix.
  const range = [prefix, `${prefix}{`] as const;
  const ids = all<{ id: string }>(
    db,
    "SELECT id FROM sessions WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
    ...range,
    max,
  ).map((row) => row.id);
  const total = ids.length < max ? ids.length : one<{ n: number }>(
    db,
    "SELECT count(*) AS n FROM sessions WHERE id >= ? AND id < ?",
    ...range,
  )!.n;
  return { ids, total };
}

/** Ids of sessions last used before `cutoffMs`. */
export function idsUsedBefore(db: SqliteDatabase, cutoffMs: number): string[] {
  return all<{ id: string }>(
    db,
    "SELECT id FROM sessions WHERE last_used_ms < ? ORDER BY last_used_ms DESC, seq DESC",
    cutoffMs,
  ).map((row) => row.id);
}

/** Rows of the sessions last used before `cutoffMs`, newest first (one query: `clean --dry-run`). */
export function rowsUsedBefore(db: SqliteDatabase, cutoffMs: number): SessionRow[] {
  return all<SessionRow>(
    db,
    `SELECT ${ROW} FROM sessions WHERE last_used_ms < ? ORDER BY last_used_ms DESC, seq DESC`,
    cutoffMs,
  );
}

/** One session's row, or `undefined`. */
export function sessionRow(db: SqliteDatabase, id: string): SessionRow | undefined {
  return one<SessionRow>(db, `SELECT ${ROW} FROM sessions WHERE id = ?`, id);
}

/** Every session's stamp and sequence number, by id (for a resync). */
export function sessionStamps(db: SqliteDatabase): Map<string, FileStamp & { seq: number }> {
  const rows = all<FileStamp & { id: string; seq: number }>(
    db,
    "SELECT id, mtime, size, ino, seq FROM sessions",
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** Every bad file the catalog knows, by name. */
export function badRows(db: SqliteDatabase): BadRow[] {
  return all<BadRow>(db, "SELECT name, reason, mtime, size, ino FROM bad_files ORDER BY name");
}

/** Replaces the list of bad files. Inside a transaction. */
export function replaceBadRows(db: SqliteDatabase, rows: readonly BadRow[]): void {
  run(db, "DELETE FROM bad_files");
  for (const row of rows) {
    run(
      db,
      "INSERT INTO bad_files (name, reason, mtime, size, ino) VALUES (?, ?, ?, ?, ?)",
      row.name,
      row.reason,
      row.mtime,
      row.size,
      row.ino,
    );
  }
}
