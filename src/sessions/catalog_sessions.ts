/**
 * The session rows of the catalog: writing them from records, and the queries `list`,
 * `resolve` and `clean` ask. Rows carry the record (as validated, in the form `sessions list
 * --json` prints it, see `list_item.ts`), so a listing needs no file reads, and its stamp
 * (mtime, size, inode), so a resync rereads only files that changed.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { BULK_CACHE, CACHE_SIZE, SESSION_INDEXES } from "./catalog_schema.ts";
import { all, getMeta, one, run, setMeta, type SqlValue, stmt } from "./catalog_sql.ts";
import { prepareRow, SESSION_COLUMNS } from "./catalog_row.ts";
import type { PreparedRow } from "./catalog_row.ts";
import type { RowTexts } from "./list_item.ts";
import type { SessionRecord } from "./record.ts";
import type { FileStamp } from "./session_file.ts";
import type { SessionFilter, SessionOverview } from "./store_types.ts";

/** A session file as read, ready to be stored. */
export interface SessionWrite {
  record: SessionRecord;
  stamp: FileStamp;
}

/** A row as queries return it. */
export interface SessionRow extends FileStamp, RowTexts {
  id: string;
  last_used_ms: number;
  seq: number;
}

/** A bad file as the catalog remembers it. */
export interface BadRow extends FileStamp {
  name: string;
  reason: string;
}

const ROW = ["id", "item", "head", "record", "last_used_ms", "seq", "mtime", "size", "ino"]
  .map((column) => `s.${column}`).join(", ");

/** Newest first (see `catalog_schema.ts`), over `sessions s`; the order of `sessions_recent`. */
export const NEWEST_FIRST = "s.last_used_ms DESC, s.seq DESC, s.created_ms DESC, s.id DESC";

/** Whether the full-text tables are built (they are filled on first search). */
export function ftsReady(db: SqliteDatabase): boolean {
  return getMeta(db, "fts") === "1";
}

/** Hands out the next write sequence number. Inside a transaction. */
export function nextSeq(db: SqliteDatabase): number {
  const seq = Number(getMeta(db, "seq") ?? "0") + 1;
  setMeta(db, "seq", String(seq));
  return seq;
}

const COLUMNS = SESSION_COLUMNS.join(", ");
const VALUES = SESSION_COLUMNS.map(() => "?").join(", ");

function indexDocument(db: SqliteDatabase, rid: number, document: string): void {
  run(db, "DELETE FROM session_fts WHERE rowid = ?", rid);
  run(db, "INSERT INTO session_fts (rowid, body) VALUES (?, ?)", rid, document);
}

/** Inserts or replaces the row of a session (and its search document). */
export function upsertSession(
  db: SqliteDatabase,
  write: SessionWrite,
  seq: number,
  fts: boolean = ftsReady(db),
): void {
  upsertRow(db, prepareRow(write.record, write.stamp, fts), seq, fts);
}

/** {@linkcode upsertSession} of a row already prepared (with its document when `fts`). */
export function upsertRow(db: SqliteDatabase, row: PreparedRow, seq: number, fts: boolean): void {
  const updates = SESSION_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(", ");
  run(
    db,
    `INSERT INTO sessions (${COLUMNS}) VALUES (${VALUES})
     ON CONFLICT (id) DO UPDATE SET ${updates}`,
    ...row.columns,
    seq,
  );
  if (fts && row.document !== undefined) {
    const rid = one<{ rid: number }>(db, "SELECT rid FROM sessions WHERE id = ?", row.columns[0]!)!;
    indexDocument(db, rid.rid, row.document);
  }
}

/** Where a rebuild keeps rows while files are still being read (see {@linkcode bulkLoad}). */
export interface Staging {
  add(rows: readonly PreparedRow[]): void;
}

/** The columns of the staging table: a row's values but `seq`, and its search document. */
const STAGED = [...SESSION_COLUMNS.slice(0, -1), "document"];

/**
 * Rows one staging statement inserts: a call into SQLite costs about as much as binding a
 * row's values, so 32 rows a call took a quarter less time than one (measured at 100,000).
 */
const STAGED_PER_INSERT = 32;

/**
 * Starts a rebuild's staging table: rows go there as each slice of files is read (in any
 * order, while other threads read on) and into `sessions` at the end, sorted
 * ({@linkcode bulkLoad}). A temporary table: in memory, gone with the connection.
 */
export function startStaging(db: SqliteDatabase): Staging {
  db.exec(
    `DROP TABLE IF EXISTS temp.session_staging; CREATE TEMP TABLE session_staging (${
      STAGED.join(", ")
    })`,
  );
  const values = `(${STAGED.map(() => "?").join(", ")})`;
  const insert = (count: number) =>
    db.prepare(`INSERT INTO temp.session_staging VALUES ${Array(count).fill(values).join(", ")}`);
  const one = insert(1);
  const many = insert(STAGED_PER_INSERT);
  return {
    add(rows) {
      let at = 0;
      for (; at + STAGED_PER_INSERT <= rows.length; at += STAGED_PER_INSERT) {
        const params: SqlValue[] = [];
        for (let k = at; k < at + STAGED_PER_INSERT; k++) {
          const row = rows[k]!;
          for (const value of row.columns) params.push(value);
          params.push(row.document ?? null);
        }
        many.run(...params);
      }
      for (; at < rows.length; at++) one.run(...rows[at]!.columns, rows[at]!.document ?? null);
    },
  };
}

/**
 * Fills an empty `sessions` table (a rebuild) with the staged rows, all written with sequence
 * number `seq`, in one statement: oldest first — so that a listing, newest first, reads the
 * table's pages in order — without indexes, which are built at the end (several times faster
 * than keeping them up to date row by row), with a page cache large enough to hold them
 * meanwhile; then their search documents (`fts`). Inside a transaction.
 */
export function bulkLoad(db: SqliteDatabase, seq: number, fts: boolean): void {
  db.exec("DROP INDEX IF EXISTS sessions_id; DROP INDEX IF EXISTS sessions_recent");
  db.exec(`PRAGMA cache_size = ${BULK_CACHE}`);
  try {
    // The order of the pages, not of the listing (that is the index's) — with ties broken by
    // creation and id, so that a rebuild of the same files numbers the rows the same way
    // whatever order the threads delivered them in.
    run(
      db,
      `INSERT INTO sessions (${COLUMNS}) SELECT ${
        SESSION_COLUMNS.slice(0, -1).join(", ")
      }, ? FROM temp.session_staging ORDER BY last_used_ms, created_ms, id`,
      seq,
    );
    db.exec(SESSION_INDEXES);
    if (fts) {
      db.exec(
        `INSERT INTO session_fts (rowid, body) SELECT s.rid, t.document
           FROM temp.session_staging t JOIN sessions s ON s.id = t.id`,
      );
    }
  } finally {
    db.exec("DROP TABLE IF EXISTS temp.session_staging");
    db.exec(`PRAGMA cache_size = ${CACHE_SIZE}`);
  }
}

/** Whether the catalog has no session row (a new or rebuilt catalog). */
export function noSessionRows(db: SqliteDatabase): boolean {
  return one(db, "SELECT 1 AS found FROM sessions LIMIT 1") === undefined;
}

/**
 * How many sessions the catalog has. Counted (1.6 ms at 100,000 with a cold cache, measured),
 * not the highest row number, which stays high after sessions are removed.
 */
export function sessionCount(db: SqliteDatabase): number {
  return one<{ n: number }>(db, "SELECT count(*) AS n FROM sessions")?.n ?? 0;
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
    `SELECT ${ROW} FROM sessions s ${where} ORDER BY ${NEWEST_FIRST}${cap}`,
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
    `SELECT s.id FROM sessions s WHERE s.last_used_ms < ? ORDER BY ${NEWEST_FIRST}`,
    cutoffMs,
  ).map((row) => row.id);
}

/** Rows whose items one query of {@linkcode overviewsUsedBefore} joins into one text. */
const OVERVIEW_PIECE = 2_000;

/**
 * What `clean --dry-run` shows of the sessions last used before `cutoffMs`, newest first. Each
 * row's list item holds every field of the record with the record's value, so it is parsed as
 * it is, without rebuilding the record in its own key order (`rowRecord`, which cost as much
 * again as the parse); and SQLite joins the items of up to {@linkcode OVERVIEW_PIECE} rows into
 * one array for one `JSON.parse`, which takes half the time of one parse per row.
 */
export function overviewsUsedBefore(db: SqliteDatabase, cutoffMs: number): SessionOverview[] {
  const overviews: SessionOverview[] = [];
  for (let offset = 0;; offset += OVERVIEW_PIECE) {
    const { text } = one<{ text: string | null }>(
      db,
      // A subquery ordered by the index; SQLite feeds its rows to the aggregate in that order.
      `SELECT group_concat(item, ',') AS text FROM (SELECT s.item FROM sessions s
         WHERE s.last_used_ms < ? ORDER BY ${NEWEST_FIRST} LIMIT ? OFFSET ?)`,
      cutoffMs,
      OVERVIEW_PIECE,
      offset,
    )!;
    if (text === null) return overviews;
    const piece = JSON.parse(`[${text}]`) as SessionOverview[];
    for (const overview of piece) overviews.push(overview);
    if (piece.length < OVERVIEW_PIECE) return overviews;
  }
}

/** One session's row, or `undefined`. */
export function sessionRow(db: SqliteDatabase, id: string): SessionRow | undefined {
  return one<SessionRow>(db, `SELECT ${ROW} FROM sessions s WHERE s.id = ?`, id);
}

/**
 * Every session's stamp, by file name, for comparing a whole directory with the catalog: one
 * array per field instead of 100,000 row objects.
 */
export interface StoredStamps {
  /** Row number of each `<id>.json` in the arrays. */
  index: Map<string, number>;
  mtime: Float64Array;
  size: Float64Array;
  ino: Float64Array;
}

/** Every session's stamp (for a resync or a full listing). */
export function storedStamps(db: SqliteDatabase): StoredStamps {
  // Two strings instead of 100,000 row objects: a third of the time at 100,000 sessions. The
  // two aggregates of one query take the rows in the same order. The names come as a JSON
  // array, not cut from one long string: V8 keeps such cuts as slices of it, and looking up
  // 100,000 listed names among them took twice as long (≈ 250 ms against 120, measured).
  const { names, numbers } = one<{ names: string; numbers: string | null }>(
    db,
    "SELECT json_group_array(id || '.json') AS names, " +
      "group_concat(mtime || ' ' || size || ' ' || ino, ' ') AS numbers FROM sessions",
  )!;
  const keys = JSON.parse(names) as string[];
  const fields = numbers === null ? [] : numbers.split(" ");
  const count = keys.length;
  const stamps: StoredStamps = {
    index: new Map(),
    mtime: new Float64Array(count),
    size: new Float64Array(count),
    ino: new Float64Array(count),
  };
  for (let at = 0, field = 0; at < count; at++, field += 3) {
    stamps.index.set(keys[at]!, at);
    stamps.mtime[at] = Number(fields[field]);
    stamps.size[at] = Number(fields[field + 1]);
    stamps.ino[at] = Number(fields[field + 2]);
  }
  return stamps;
}

/** Rows of `sessions list --json` in one piece (more than this is cut into several pieces). */
const ITEMS_PER_PIECE = 2000;

const utf8 = new TextEncoder();

/**
 * The text `sessions list --json` prints for the sessions matching `filter`, as UTF-8 bytes in
 * pieces to be written one after the other. SQLite joins the stored items of each piece
 * itself and hands over the bytes (a blob: no 74 MB string made and encoded again), so no
 * record is parsed; pieces are cut at keys of the newest-first order (keyset pagination).
 */
export function listJsonPieces(db: SqliteDatabase, filter: SessionFilter): Uint8Array[] {
  const { where, params } = filterSql(filter);
  const matching = where === "" ? "WHERE" : `${where} AND`;
  const key = "(s.last_used_ms, s.seq, s.created_ms, s.id)";
  const boundary = stmt(
    db,
    `SELECT s.last_used_ms, s.seq, s.created_ms, s.id FROM sessions s
      ${matching} ${key} < (?, ?, ?, ?) ORDER BY ${NEWEST_FIRST} LIMIT 1 OFFSET ${
      ITEMS_PER_PIECE - 1
    }`,
  );
  const piece = (last: boolean) =>
    stmt(
      db,
      // A subquery ordered by the index; SQLite feeds its rows to the aggregate in that order.
      `SELECT CAST(group_concat(item, ',' || char(10)) AS BLOB) AS text
         FROM (SELECT s.item FROM sessions s
         ${matching} ${key} < (?, ?, ?, ?)${last ? "" : ` AND ${key} >= (?, ?, ?, ?)`}
         ORDER BY ${NEWEST_FIRST})`,
    );
  const pieces: Uint8Array[] = [];
  const between = utf8.encode(",\n");
  // Above every key: `last_used_ms` of any row is within ±8.64e15.
  let after: SqlValue[] = [9e15, 0, 0, ""];
  for (;;) {
    const end = boundary.get(...params, ...after) as
      | { last_used_ms: number; seq: number; created_ms: number; id: string }
      | undefined;
    const through = end ? [end.last_used_ms, end.seq, end.created_ms, end.id] : [];
    const { text } = piece(!end).get(...params, ...after, ...through) as {
      text: Uint8Array | null;
    };
    if (text !== null) {
      if (pieces.length > 0) pieces.push(between);
      pieces.push(text);
    }
    if (!end) break;
    after = through;
  }
  if (pieces.length === 0) return [utf8.encode("[]\n")];
  return [utf8.encode("[\n"), ...pieces, utf8.encode("\n]\n")];
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
