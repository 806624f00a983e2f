/**
 * The start of every locked write: make sure the catalog is current, then mark it as being
 * written (`catalog_sync.ts` says why the mark must be committed before any file changes).
 *
 * Why one transaction for both: outside a transaction every SQLite statement is a transaction
 * of its own, and each one that begins after another process wrote the catalog checks the
 * journal for a crash (a `stat`, an `open`, a read, a `close`) and the file's change counter.
 * Asking "is it current?" (two values) and then setting the mark made three such transactions
 * per update; now, when the catalog is current, it is one. The answer is the same: the
 * exclusive store lock keeps every other writer out between the question and the mark.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { transaction } from "./catalog_sql.ts";
import { markWriting, matchesDir, observeDir, syncCatalog } from "./catalog_sync.ts";
import type { StoreContext } from "./store_context.ts";

/**
 * Brings the catalog up to date (when it is not) and marks it as being written, until the
 * write's commit (`commitChanges`). Exclusive store lock held; `memory` for the in-memory
 * stand-in, which is always resynced first.
 */
export async function startWrite(
  ctx: StoreContext,
  db: SqliteDatabase,
  memory: boolean,
): Promise<void> {
  if (!memory) {
    const dir = await observeDir(ctx.fs, ctx.paths.dir);
    const marked = transaction(db, () => {
      if (!matchesDir(db, dir)) return false;
      markWriting(db);
      return true;
    });
    if (marked) return;
  }
  await syncCatalog(ctx, db, { sweep: !memory });
  markWriting(db);
}
