/**
 * Full-text search over the catalog (FTS5): session titles, first prompts and tags, and every
 * turn's prompt and answer, ranked by BM25, one hit per session with the snippet of its best
 * match. The search tables are built on the first search and kept in step by every write after.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { all, getMeta, run, setMeta, transaction } from "./catalog_sql.ts";
import { filterSql, sessionDocument } from "./catalog_sessions.ts";
import type { SessionRow } from "./catalog_sessions.ts";
import { turnDocument } from "./turn_catalog.ts";
import type { SessionFilter } from "./store_types.ts";
import { rowRecord } from "./list_query.ts";

/** Start and end of a highlighted match in a snippet (control characters never in text). */
export const MARK_START = "\u0001";
/** See {@linkcode MARK_START}. */
export const MARK_END = "\u0002";

/** One search hit as the catalog finds it. */
export interface CatalogHit {
  row: SessionRow;
  /** BM25 score; lower is better. */
  score: number;
  /** Text around the best match, with matches between {@linkcode MARK_START} and `MARK_END`. */
  snippet: string;
  /** The turn that matched best; `0` for the session's title, prompt or tags. */
  turn: number;
}

/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: each word (letters
 * and digits) quoted and matched as a prefix, all of them required. `undefined` when there is
 * no word at all.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text.normalize("NFKC").match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word}"*`).join(" ");
}

/** Builds the search tables from the rows, once. Inside the exclusive lock. */
export function ensureSearchTables(db: SqliteDatabase): void {
  if (getMeta(db, "fts") === "1") return;
  transaction(db, () => {
    run(db, "DELETE FROM session_fts");
    run(db, "DELETE FROM turn_fts");
    for (
      const row of all<{ rid: number; text: string; id: string }>(
        db,
        "SELECT rid, id, text FROM sessions",
      )
    ) {
      run(
        db,
        "INSERT INTO session_fts (rowid, body) VALUES (?, ?)",
        row.rid,
        sessionDocument(rowRecord(row)),
      );
    }
    for (
      const row of all<{ rid: number; prompt: string; answer: string }>(
        db,
        "SELECT rid, prompt, answer FROM turns",
      )
    ) {
      run(db, "INSERT INTO turn_fts (rowid, body) VALUES (?, ?)", row.rid, turnDocument(row));
    }
    setMeta(db, "fts", "1");
  });
}

/** Whether the search tables are built. */
export function searchTablesReady(db: SqliteDatabase): boolean {
  return getMeta(db, "fts") === "1";
}

/** Best hits for `query` among sessions matching `filter`, best first, at most `limit`. */
export function searchCatalog(
  db: SqliteDatabase,
  query: string,
  filter: SessionFilter & { sinceMs?: number },
  limit: number,
): CatalogHit[] {
  const match = ftsQuery(query);
  if (!match) return [];
  const { where, params } = filterSql(filter);
  const since = filter.sinceMs === undefined
    ? ""
    : `${where ? " AND" : "WHERE"} s.last_used_ms >= ?`;
  const snippet = (table: string) => `snippet(${table}, 0, char(1), char(2), '…', 16)`;
  return all<
    {
      id: string;
      text: string;
      last_used_ms: number;
      seq: number;
      mtime: number;
      size: number;
      ino: number;
      score: number;
      snip: string;
      turn: number;
    }
  >(
    db,
    `WITH hits AS (
       SELECT s.id AS id, bm25(session_fts) AS score, ${snippet("session_fts")} AS snip, 0 AS turn
         FROM session_fts JOIN sessions s ON s.rid = session_fts.rowid
        WHERE session_fts MATCH ?
       UNION ALL
       SELECT t.session_id AS id, bm25(turn_fts) AS score, ${
      snippet("turn_fts")
    } AS snip, t.n AS turn
         FROM turn_fts JOIN turns t ON t.rid = turn_fts.rowid
        WHERE turn_fts MATCH ?
     ), best AS (
       SELECT id, min(score) AS score, snip, turn FROM hits GROUP BY id
     )
     SELECT s.id, s.text, s.last_used_ms, s.seq, s.mtime, s.size, s.ino, b.score, b.snip, b.turn
       FROM best b JOIN sessions s ON s.id = b.id ${where}${since}
      ORDER BY b.score, s.last_used_ms DESC LIMIT ?`,
    match,
    match,
    ...params,
    ...(filter.sinceMs === undefined ? [] : [filter.sinceMs]),
    limit,
  ).map((row) => ({
    row,
    score: row.score,
    snippet: row.snip,
    turn: row.turn,
  }));
}
