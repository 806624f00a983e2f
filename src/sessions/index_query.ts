/**
 * The read protocol over the index: answer under the shared lock when the index is current;
 * otherwise — or when the answer found an entry out of date — take the exclusive lock, bring
 * the index up to date, and answer once more.
 * @module
 */
import type { IndexState } from "./index_log.ts";
import { currentState, ensureCurrent, rebuildIndex, recheck } from "./index_sync.ts";
import type { StoreContext } from "./store_context.ts";

/** A query's request to fix the index and ask again. */
export type Retry = { retry: "rebuild" } | { retry: "recheck"; ids: string[] };

/** Asks for a full rebuild (the index could not be read). */
export const REBUILD: Retry = { retry: "rebuild" };

function isRetry(value: unknown): value is Retry {
  return typeof value === "object" && value !== null && "retry" in value;
}

const STALE: Retry = { retry: "rebuild" };

/**
 * Runs `query` against a current index. On its last try (`lastTry`) the query must answer as
 * best it can — skipping entries that still disagree with their files — instead of retrying.
 */
export async function withCurrentIndex<T>(
  ctx: StoreContext,
  query: (state: IndexState, lastTry: boolean) => Promise<T | Retry>,
): Promise<T> {
  const first = await ctx.lock.with("shared", async () => {
    const state = await currentState(ctx);
    return state ? await query(state, false) : STALE;
  });
  if (!isRetry(first)) return first;
  return await ctx.lock.with("exclusive", async () => {
    let state = await ensureCurrent(ctx);
    if (first.retry === "recheck") state = await recheck(ctx, state, first.ids);
    let answer = await query(state, true);
    if (isRetry(answer)) {
      // The index was unreadable although just checked: rebuild it and ask one final time.
      state = (await rebuildIndex(ctx, { rereadAll: false })).state;
      answer = await query(state, true);
      if (isRetry(answer)) throw new Error("The session index is unreadable right after a rebuild");
    }
    return answer;
  });
}
