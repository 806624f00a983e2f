/**
 * Small helpers over `node:sqlite`: cached prepared statements, transactions and the `meta`
 * table of the catalog.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";

/** A value SQLite takes as a parameter. */
export type SqlValue = string | number | null;

type Statement = ReturnType<SqliteDatabase["prepare"]>;

const statements = new WeakMap<SqliteDatabase, Map<string, Statement>>();

/** The prepared statement for `sql` on `db`, prepared once per connection. */
export function stmt(db: SqliteDatabase, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, cache = new Map());
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, prepared = db.prepare(sql));
  return prepared;
}

/** Rows of a query, typed by the caller. */
export function all<T>(db: SqliteDatabase, sql: string, ...params: SqlValue[]): T[] {
  return stmt(db, sql).all(...params) as T[];
}

/** The first row of a query, or `undefined`. */
export function one<T>(db: SqliteDatabase, sql: string, ...params: SqlValue[]): T | undefined {
  return stmt(db, sql).get(...params) as T | undefined;
}

/** Runs a statement. */
export function run(db: SqliteDatabase, sql: string, ...params: SqlValue[]): void {
  stmt(db, sql).run(...params);
}

/** Runs `fn` in one write transaction: all of it is applied, or none. */
export function transaction<T>(db: SqliteDatabase, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * {@linkcode transaction} for work that awaits (file reads between statements). Only under
 * the exclusive store lock, which keeps every other call of this process off the connection.
 */
export async function transactionAsync<T>(db: SqliteDatabase, fn: () => Promise<T>): Promise<T> {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = await fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** A value of the `meta` table. */
export function getMeta(db: SqliteDatabase, key: string): string | undefined {
  return one<{ value: string }>(db, "SELECT value FROM meta WHERE key = ?", key)?.value;
}

/** Sets a value of the `meta` table. */
export function setMeta(db: SqliteDatabase, key: string, value: string): void {
  run(
    db,
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    key,
    value,
  );
}
