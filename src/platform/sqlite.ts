/**
 * Opening SQLite databases (`node:sqlite`, built into Deno; needs only `--allow-read` and
 * `--allow-write` on the file). The session catalog receives {@linkcode OpenSqlite} as a
 * parameter, so tests can hand it a database that fails like a full or read-only disk.
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** An open SQLite connection (`node:sqlite`'s synchronous API). */
export type SqliteDatabase = DatabaseSync;

/** Opens the database at `path` (`":memory:"` for a private in-memory one). */
export type OpenSqlite = (path: string) => SqliteDatabase;

/** The real opener. */
export const openSqlite: OpenSqlite = (path) => new DatabaseSync(path);
