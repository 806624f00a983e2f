/**
 * `list`: sessions matching a filter, newest first, as full records. With a limit only the
 * matching entries at the end of the index and their files are read; without one the whole
 * index and every matching file (that is `sessions list --json`).
 * @module
 */
import { join } from "node:path";
import { entryDescribes, entryFromRecord, entryMatches, newestFirst, rank } from "./index_entry.ts";
import type { Ranked } from "./index_entry.ts";
import { loadIndex } from "./index_log.ts";
import { scanNewest } from "./index_search.ts";
import { REBUILD, withCurrentIndex } from "./index_query.ts";
import type { Retry } from "./index_query.ts";
import { mapPool } from "./pool.ts";
import type { SessionRecord } from "./record.ts";
import { readRecord } from "./record_file.ts";
import type { StoreContext } from "./store_context.ts";
import { sessionPath } from "./store_paths.ts";
import type { SessionFilter } from "./store_types.ts";

/**
 * Reads the files of ranked entries. Entries whose file is missing, bad or different are
 * returned as `stale`; on the last try a different-but-valid record is used if it still
 * matches the filter.
 */
export async function readRanked(
  ctx: StoreContext,
  ranked: readonly Ranked[],
  filter: SessionFilter,
  lastTry: boolean,
): Promise<{ records: { record: SessionRecord; rank: Ranked }[]; stale: string[] }> {
  const reads = await mapPool(
    ranked,
    (item) => readRecord(ctx.fs, sessionPath(ctx.paths, item.entry.id), item.entry.id),
  );
  const records: { record: SessionRecord; rank: Ranked }[] = [];
  const stale: string[] = [];
  reads.forEach((read, index) => {
    const item = ranked[index] as Ranked;
    if (read.kind === "bad") ctx.reportBad(sessionPath(ctx.paths, item.entry.id), read.reason);
    if (read.kind === "ok" && entryDescribes(item.entry, read.record)) {
      records.push({ record: read.record, rank: item });
      return;
    }
    stale.push(item.entry.id);
    if (lastTry && read.kind === "ok") {
      const entry = entryFromRecord(read.record, 0, 0);
      if (entryMatches(entry, filter)) {
        records.push({ record: read.record, rank: rank(entry, item.pos) });
      }
    }
  });
  return { records, stale };
}

function answer(
  found: Awaited<ReturnType<typeof readRanked>>,
  lastTry: boolean,
): SessionRecord[] | Retry {
  if (found.stale.length > 0 && !lastTry) return { retry: "recheck", ids: found.stale };
  return found.records.sort((a, b) => newestFirst(a.rank, b.rank)).map((item) => item.record);
}

/** Sessions matching `filter`, newest `last_used_at` first, at most `filter.limit`. */
export async function listSessions(
  ctx: StoreContext,
  filter: SessionFilter,
): Promise<SessionRecord[]> {
  const limit = filter.limit;
  if (limit !== undefined) {
    return await withCurrentIndex(ctx, async (state, lastTry) => {
      const top = await scanNewest(ctx.fs, ctx.paths.index, state, filter, limit);
      if (!top) return REBUILD;
      return answer(await readRanked(ctx, top, filter, lastTry), lastTry);
    });
  }
  return await withCurrentIndex(ctx, async (_state, lastTry) => {
    const index = await loadIndex(ctx.fs, ctx.paths.index);
    if (!index) return REBUILD;
    const ranked: Ranked[] = [];
    for (const [name, slot] of index.slots) {
      if (slot.kind === "bad") ctx.reportBad(join(ctx.paths.dir, name), slot.bad.reason);
      else if (entryMatches(slot.entry, filter)) ranked.push(rank(slot.entry, slot.pos));
    }
    return answer(await readRanked(ctx, ranked, filter, lastTry), lastTry);
  });
}
