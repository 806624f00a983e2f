/**
 * Full-text search over the catalog (FTS5): session titles, first prompts and tags, and every
 * turn's prompt and answer, ranked by BM25, one hit per session with the snippet of its best
 * match. The search tables are built on the first search and kept in step by every write after.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { all, getMeta, one, run, setMeta, transaction } from "./catalog_sql.ts";
import { sessionDocument } from "./catalog_row.ts";
import { filterSql } from "./catalog_sessions.ts";
import type { SessionRow } from "./catalog_sessions.ts";
import { turnDocument } from "./turn_catalog.ts";
import type { SessionFilter } from "./store_types.ts";
import { rowRecord } from "./list_item.ts";

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

/** Characters of context on each side of the first match in a snippet. */
const CONTEXT = 60;

/**
 * The text around the first place a word of `query` starts a word of `text` (as the index
 * matches: a prefix, ignoring case), matches marked with {@linkcode MARK_START}/`MARK_END`.
 * Made here rather than by FTS5's `snippet()`, which would rerun the whole match per hit.
 */
export function snippetAround(text: string, query: string): string {
  const words = (query.normalize("NFKC").match(/[\p{L}\p{N}_]+/gu) ?? []).map((w) =>
    w.toLowerCase()
  );
  const flat = text.replace(/\s+/g, " ").trim();
  const lower = flat.toLowerCase();
  const starts: { at: number; length: number }[] = [];
  for (const found of lower.matchAll(/[\p{L}\p{N}_]+/gu)) {
    if (words.some((word) => found[0].startsWith(word))) {
      starts.push({ at: found.index!, length: found[0].length });
    }
  }
  const first = starts[0]?.at ?? 0;
  const from = Math.max(0, first - CONTEXT);
  const to = Math.min(flat.length, first + CONTEXT * 2);
  let out = from > 0 ? "…" : "";
  let cursor = from;
  for (const { at, length } of starts) {
    if (at < from || at + length > to) continue;
    out += flat.slice(cursor, at) + MARK_START + flat.slice(at, at + length) + MARK_END;
    cursor = at + length;
  }
  return out + flat.slice(cursor, to) + (to < flat.length ? "…" : "");
}

/** Builds the search tables from the rows, once. Inside the exclusive lock. */
export function ensureSearchTables(db: SqliteDatabase): void {
  if (getMeta(db, "fts") === "1") return;
  transaction(db, () => {
    run(db, "DELETE FROM session_fts");
    run(db, "DELETE FROM turn_fts");
    for (
      const row of all<{ rid: number; item: string }>(db, "SELECT rid, item FROM sessions")
    ) {
      run(
        db,
        "INSERT INTO session_fts (rowid, body) VALUES (?, ?)",
        row.rid,
        // The item holds the record's title, prompt and tags; their order does not matter here.
        sessionDocument(JSON.parse(row.item)),
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

/**
 * Best hits for `query` among sessions matching `filter`, best first, at most `limit`. Two
 * ranked queries (session documents, turn documents), each cut to its best few, merged to
 * one hit per session; snippets are made for the shown hits only (a common word matches most
 * documents, and a snippet is the costly part).
 */
export function searchCatalog(
  db: SqliteDatabase,
  query: string,
  filter: SessionFilter & { sinceMs?: number },
  limit: number,
): CatalogHit[] {
  const match = ftsQuery(query);
  if (!match) return [];
  const { where, params } = filterSql(filter);
  const conditions = [
    where.replace(/^WHERE /, ""),
    filter.sinceMs === undefined ? "" : "s.last_used_ms >= ?",
  ]
    .filter(Boolean);
  const extra = conditions.length > 0 ? ` AND ${conditions.join(" AND ")}` : "";
  const filterParams = [...params, ...(filter.sinceMs === undefined ? [] : [filter.sinceMs])];
  // Several turns of one session may be among the best: fetch enough to fill `limit` sessions.
  const fetch = limit * 8;
  type Ranked = SessionRow & { score: number; turn: number; doc: number };
  const columns = "s.id, s.item, s.head, s.record, s.last_used_ms, s.seq, s.mtime, s.size, s.ino";
  const sessionsHit = all<Ranked>(
    db,
    `SELECT ${columns}, bm25(session_fts) AS score, 0 AS turn, session_fts.rowid AS doc
       FROM session_fts CROSS JOIN sessions s ON s.rid = session_fts.rowid
      WHERE session_fts MATCH ?${extra} ORDER BY score, s.id LIMIT ?`,
    match,
    ...filterParams,
    fetch,
  );
  const turnsHit = all<Ranked>(
    db,
    `SELECT ${columns}, bm25(turn_fts) AS score, t.n AS turn, turn_fts.rowid AS doc
       FROM turn_fts CROSS JOIN turns t ON t.rid = turn_fts.rowid
       CROSS JOIN sessions s ON s.id = t.session_id
      WHERE turn_fts MATCH ?${extra} ORDER BY score, s.id, t.n LIMIT ?`,
    match,
    ...filterParams,
    fetch,
  );
  const best = new Map<string, Ranked>();
  for (const hit of [...sessionsHit, ...turnsHit]) {
    const prior = best.get(hit.id);
    if (!prior || hit.score < prior.score) best.set(hit.id, hit);
  }
  const top = [...best.values()]
    .sort((a, b) =>
      a.score - b.score || b.last_used_ms - a.last_used_ms ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    )
    .slice(0, limit);
  return top.map((row) => {
    const text = row.turn > 0
      ? turnDocument(
        one<{ prompt: string; answer: string }>(
          db,
          "SELECT prompt, answer FROM turns WHERE rid = ?",
          row.doc,
        ) ?? { prompt: "", answer: "" },
      )
      : sessionDocument(rowRecord(row));
    return { row, score: row.score, snippet: snippetAround(text, query), turn: row.turn };
  });
}
