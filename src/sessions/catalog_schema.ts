/**
 * The tables of the session catalog, `sessions/.catalog.db` (see `catalog.ts`). A catalog of
 * another {@linkcode CATALOG_SCHEMA} is dropped and rebuilt from the files: it is a cache.
 * @module
 */

/** SQLite's page cache for the catalog (`PRAGMA cache_size`; negative: KiB): 32 MiB. */
export const CACHE_SIZE = -32768;

/** The page cache while a rebuild fills the table: enough for 100,000 sessions' rows. */
export const BULK_CACHE = -262144;

/** Bumped whenever the tables change; kept in SQLite's `user_version`. */
export const CATALOG_SCHEMA = 5;

/**
 * The indexes of `sessions`: a rebuild drops them and creates them again after inserting every
 * row, which is several times faster than keeping them up to date row by row.
 */
export const SESSION_INDEXES = `
CREATE UNIQUE INDEX sessions_id ON sessions (id);
CREATE INDEX sessions_recent ON sessions (last_used_ms DESC, seq DESC, created_ms DESC, id DESC);
`;

/**
 * - `meta`: `dir_stamp` (the `sessions/` directory's mtime and inode when the catalog last
 *   matched it), `writing` (set while a writer changes files), `seq` (write counter).
 * - `sessions`: one row per valid `<id>.json`: its record (validated) in the form
 *   `sessions list --json` prints it (`item`, see `list_item.ts`), the columns filters need,
 *   and the file's stamp; `tags` is a JSON array (tag filters and usage by tag use
 *   `json_each`). Newest first is `last_used_ms`, then `seq` (sessions used in the same
 *   millisecond: the one written later first; every file read by one resync shares one
 *   `seq`), then `created_ms` and `id`.
 * - `bad_files`: every `*.json` that is not a valid session, with the reason.
 * - `turns`: one row per turn, from the `.turns/<id>.jsonl` journals; `journals` holds each
 *   journal's stamp, so a resync rereads only journals that changed.
 * - `turn_rollup`: the sums of `turns` per 15-minute bucket, backend and model, kept in step
 *   with every turn written or removed, so usage by day/backend/model and daily budgets read
 *   a few thousand rows instead of every turn.
 * - `session_fts` / `turn_fts`: full-text search (FTS5), keyed by the rowids of `sessions`
 *   and `turns`; filled on first use (`meta.fts` = 1 once built) and kept in step after.
 */
export const CATALOG_DDL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sessions (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  backend TEXT NOT NULL,
  status TEXT NOT NULL,
  workdir TEXT NOT NULL,
  tags TEXT NOT NULL,
  resumable INTEGER NOT NULL,
  last_used_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  size INTEGER NOT NULL,
  ino INTEGER NOT NULL,
  item TEXT NOT NULL,
  head TEXT NOT NULL,
  record TEXT
);
${SESSION_INDEXES}
CREATE TABLE bad_files (
  name TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  mtime INTEGER NOT NULL,
  size INTEGER NOT NULL,
  ino INTEGER NOT NULL
);
CREATE TABLE journals (
  id TEXT PRIMARY KEY,
  mtime INTEGER NOT NULL,
  size INTEGER NOT NULL,
  ino INTEGER NOT NULL
);
CREATE TABLE turns (
  rid INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  n INTEGER NOT NULL,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  backend TEXT NOT NULL,
  model TEXT,
  prompt TEXT NOT NULL,
  answer TEXT NOT NULL,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cached INTEGER NOT NULL,
  total INTEGER NOT NULL,
  cost_usd REAL,
  price_source TEXT,
  exit_code INTEGER,
  duration_seconds REAL,
  error_class TEXT,
  run_id TEXT,
  entry TEXT NOT NULL,
  UNIQUE (session_id, n)
);
CREATE INDEX turns_time ON turns (at_ms);
CREATE TABLE turn_rollup (
  bucket INTEGER NOT NULL,
  backend TEXT NOT NULL,
  model TEXT NOT NULL,
  turns INTEGER NOT NULL,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cached INTEGER NOT NULL,
  total INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  unknown_cost_turns INTEGER NOT NULL,
  last_ms INTEGER NOT NULL,
  PRIMARY KEY (bucket, backend, model)
);
CREATE VIRTUAL TABLE session_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE turn_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');
`;
