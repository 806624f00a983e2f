/**
 * `resolve`: one session by exact id (one file opened directly) or by unique prefix (a binary
 * search of the index's id block), git-style.
 * @module
 */
import { parseIdInput } from "./ids.ts";
import { findByPrefix } from "./index_search.ts";
import { REBUILD, withCurrentIndex } from "./index_query.ts";
import { mapPool } from "./pool.ts";
import type { SessionRecord } from "./record.ts";
import { readRecord } from "./record_file.ts";
import { ambiguousPrefix, MAX_CANDIDATES, sessionNotFound } from "./session_errors.ts";
import type { StoreContext } from "./store_context.ts";
import { sessionPath } from "./store_paths.ts";

/**
 * Reads one session by exact id without the lock: files are only ever replaced by rename,
 * so a reader sees the old or the new file, never a half-written one. A bad file is reported
 * and treated as absent.
 */
export async function getSession(
  ctx: StoreContext,
  id: string,
): Promise<SessionRecord | undefined> {
  const path = sessionPath(ctx.paths, id);
  const read = await readRecord(ctx.fs, path, id);
  if (read.kind === "bad") ctx.reportBad(path, read.reason);
  return read.kind === "ok" ? read.record : undefined;
}

/** Finds a session by id or unique prefix; exit 2 for a malformed id, exit 4 otherwise. */
export async function resolveSession(ctx: StoreContext, input: string): Promise<SessionRecord> {
  const id = parseIdInput(input);
  const exact = await getSession(ctx, id);
  if (exact) return exact;
  const found = await withCurrentIndex(ctx, async (state, lastTry) => {
    const ids = await findByPrefix(ctx.fs, ctx.paths.index, state, id);
    if (!ids) return REBUILD;
    // Reading more than one past the listed maximum would not change the message.
    const sample = ids.slice(0, MAX_CANDIDATES + 1);
    const reads = await mapPool(sample, (candidate) => getSession(ctx, candidate));
    const stale = sample.filter((_, index) => !reads[index]);
    if (stale.length > 0 && !lastTry) return { retry: "recheck" as const, ids: stale };
    const records = reads.filter((record): record is SessionRecord => record !== undefined);
    return { records, total: ids.length - stale.length };
  });
  if (found.total === 0) throw sessionNotFound(input.trim());
  if (found.total === 1 && found.records[0]) return found.records[0];
  throw ambiguousPrefix(id, found.records, found.total);
}
