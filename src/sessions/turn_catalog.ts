/**
 * The turn rows of the catalog, kept in step with the `.turns/<id>.jsonl` journals.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import type { StoreContext } from "./store_context.ts";

/** Brings the turn rows up to date with the journals. Exclusive lock. */
export async function syncJournals(
  _ctx: StoreContext,
  _db: SqliteDatabase,
  _options: { rereadAll: boolean },
): Promise<void> {}
