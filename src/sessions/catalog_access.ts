/**
 * The read protocol over the catalog: answer under the shared store lock when the catalog is
 * current; otherwise — or when the answer found a row out of date — take the exclusive lock,
 * bring the catalog up to date, and answer once more. A catalog that turns out corrupt is
 * rebuilt; one that cannot be written (read-only mount, full disk) is replaced for this
 * process by an in-memory one built from the files (see `catalog.ts`).
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { errorMessage } from "../platform/fs_errors.ts";
import { isCorruptCatalog } from "./catalog.ts";
import { isCurrent, recheck, syncCatalog } from "./catalog_sync.ts";
import type { StoreContext } from "./store_context.ts";

/** A query's request to fix the catalog and ask again. */
export type Retry = { retry: "resync" } | { retry: "recheck"; ids: string[] } | {
  retry: "prepare";
};

/**
 * What a query needs beyond current session rows (current turn rows, built search tables):
 * whether it is there (any lock), and how to make it so (exclusive lock).
 */
export interface Preparation {
  ready(db: SqliteDatabase): Promise<boolean>;
  make(db: SqliteDatabase, memory: boolean): Promise<void>;
}

/** Asks for a resync with the directory. */
export const RESYNC: Retry = { retry: "resync" };

function isRetry(value: unknown): value is Retry {
  return typeof value === "object" && value !== null && "retry" in value;
}

/** Whether an error came from SQLite (as opposed to the file system or clinvk). */
export function isSqliteError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "ERR_SQLITE_ERROR";
}

/**
 * Runs `work` on the catalog with the exclusive lock held. A SQLite failure on the file
 * (read-only, full, corrupt beyond repair) switches to the in-memory catalog and runs `work`
 * again there. With `quiet` (writes) that switch is said only once the work succeeded
 * (`Catalog.sayPending`): a write that fails anyway says only why.
 */
export async function withWritableCatalog<T>(
  ctx: StoreContext,
  work: (db: SqliteDatabase, memory: boolean) => Promise<T>,
  options: { quiet?: boolean } = {},
): Promise<T> {
  let conn = await ctx.catalog.open(options);
  try {
    return await work(conn.db, conn.memory);
  } catch (error) {
    if (conn.memory || !isSqliteError(error)) throw error;
    if (isCorruptCatalog(error)) {
      // Found corrupt only now (a page read mid-query): throw it away and rebuild.
      await ctx.catalog.discard();
      conn = await ctx.catalog.open();
      try {
        return await work(conn.db, conn.memory);
      } catch (again) {
        if (conn.memory || !isSqliteError(again)) throw again;
        return await work(ctx.catalog.fallBack(errorMessage(again), options).db, true);
      }
    }
    return await work(ctx.catalog.fallBack(errorMessage(error), options).db, true);
  }
}

/**
 * Runs `query` against a current catalog. On its last try (`lastTry`) the query must answer
 * as best it can — skipping rows that still disagree with their files — instead of retrying.
 */
export async function readCatalog<T>(
  ctx: StoreContext,
  query: (db: SqliteDatabase, lastTry: boolean) => Promise<T | Retry>,
  prepare?: Preparation,
): Promise<T> {
  const first = await ctx.lock.with("shared", async (): Promise<T | Retry> => {
    const conn = await ctx.catalog.open();
    // A private in-memory catalog is synced under the exclusive lock below.
    if (conn.memory) return RESYNC;
    try {
      if (!(await isCurrent(ctx, conn.db))) return RESYNC;
      if (prepare && !(await prepare.ready(conn.db))) return { retry: "prepare" };
      return await query(conn.db, false);
    } catch (error) {
      if (isSqliteError(error)) return RESYNC;
      throw error;
    }
  });
  if (!isRetry(first)) return first;
  return await ctx.lock.with("exclusive", () =>
    withWritableCatalog(ctx, async (db, memory) => {
      if (memory || first.retry === "resync" || !(await isCurrent(ctx, db))) {
        await syncCatalog(ctx, db, { sweep: !memory });
      }
      if (first.retry === "recheck") await recheck(ctx, db, first.ids);
      if (prepare && !(await prepare.ready(db))) await prepare.make(db, memory);
      let answer = await query(db, true);
      if (isRetry(answer)) {
        // Still out of date although just brought up to date: resync and ask a final time.
        await syncCatalog(ctx, db, { sweep: false });
        answer = await query(db, true);
        if (isRetry(answer)) throw new Error("The session catalog disagrees with the files");
      }
      return answer;
    }));
}
