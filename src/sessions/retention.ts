/**
 * Retention: deleting sessions not used since a cutoff, never one whose lease is held. Run by
 * `sessions clean` and, at most once a day, when a session is created.
 * @module
 */
import { isNotFound } from "../platform/fs_errors.ts";
import { appendWriteMark, loadIndex } from "./index_log.ts";
import type { IndexState } from "./index_log.ts";
import type { IndexChange } from "./index_log.ts";
import { commit, ensureCurrent, rebuildIndex } from "./index_sync.ts";
import { describeHolder, readLeaseHolder, tryLease } from "./lease.ts";
import type { SessionRecord } from "./record.ts";
import { readRecord } from "./record_file.ts";
import type { StoreContext } from "./store_context.ts";
import { leasePath, sessionPath } from "./store_paths.ts";
import { DAY_MS, formatTimestamp, timestampMs } from "./time.ts";

async function entriesOlderThan(ctx: StoreContext, cutoffMs: number): Promise<string[]> {
  const index = await loadIndex(ctx.fs, ctx.paths.index);
  const entries = index
    ? [...index.slots.values()].flatMap((slot) => slot.kind === "entry" ? [slot.entry] : [])
    : (await rebuildIndex(ctx, { rereadAll: false })).live;
  return entries.filter((entry) => timestampMs(entry.last_used_at) < cutoffMs).map((e) => e.id);
}

/**
 * Deletes (unless `dryRun`) sessions whose `last_used_at` is before `cutoff` and that nobody
 * holds; reports held ones with `warn`. Exclusive lock held. Returns them newest first.
 */
async function cleanLocked(
  ctx: StoreContext,
  current: IndexState,
  cutoff: Date,
  dryRun: boolean,
): Promise<{ records: SessionRecord[]; state: IndexState }> {
  const cutoffMs = cutoff.getTime();
  const records: SessionRecord[] = [];
  const changes: IndexChange[] = [];
  const old = await entriesOlderThan(ctx, cutoffMs);
  const state = dryRun || old.length === 0
    ? current
    : await appendWriteMark(ctx.fs, ctx.paths, current);
  for (const id of old) {
    const path = sessionPath(ctx.paths, id);
    const read = await readRecord(ctx.fs, path, id);
    // The file is the truth: skip it when a hand edit made it newer or it is bad now.
    if (read.kind !== "ok" || !(timestampMs(read.record.last_used_at) < cutoffMs)) continue;
    const lease = await tryLease(ctx, id);
    if (lease.inUse) {
      const holder = describeHolder(await readLeaseHolder(ctx, id));
      ctx.warn(`Skipping session ${id}: in use by ${holder}`);
      continue;
    }
    try {
      if (!dryRun) {
        try {
          await ctx.fs.remove(path);
        } catch (error) {
          if (isNotFound(error)) continue;
          throw error;
        }
        changes.push({ deleted: id });
        if (lease.lease) await ctx.fs.remove(leasePath(ctx.paths, id)).catch(() => {});
      }
      records.push(read.record);
    } finally {
      await lease.lease?.release();
    }
  }
  records.sort((a, b) => timestampMs(b.last_used_at) - timestampMs(a.last_used_at));
  return { records, state: await commit(ctx, state, changes) };
}

/** `clean`: see {@linkcode cleanLocked}; takes the exclusive lock. */
export async function cleanSessions(
  ctx: StoreContext,
  cutoff: Date,
  dryRun: boolean,
): Promise<SessionRecord[]> {
  return await ctx.lock.with("exclusive", async () => {
    const { records } = await cleanLocked(ctx, await ensureCurrent(ctx), cutoff, dryRun);
    return records;
  });
}

async function ranRecently(ctx: StoreContext, nowMs: number): Promise<boolean> {
  try {
    const last = timestampMs((await ctx.fs.readTextFile(ctx.paths.retentionStamp)).trim());
    // A stamp far in the future (the clock was wrong) must not switch retention off.
    return Math.abs(nowMs - last) < DAY_MS;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * Applies `retentionDays` if it has not been applied within the last day (by the injected
 * clock). Costs one small read when it has.
 */
export async function maybeApplyRetention(ctx: StoreContext, retentionDays: number): Promise<void> {
  if (!(retentionDays > 0)) return;
  const now = ctx.clock.now();
  if (await ranRecently(ctx, now.getTime())) return;
  await ctx.lock.with("exclusive", async () => {
    // Another process may have run it while this one waited for the lock.
    if (await ranRecently(ctx, now.getTime())) return;
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
    const { state } = await cleanLocked(ctx, await ensureCurrent(ctx), cutoff, false);
    await ctx.fs.writeTextFile(ctx.paths.retentionStamp, formatTimestamp(now) + "\n", {
      mode: 0o600,
    });
    // Creating the stamp file changed the directory; record that it was clinvk.
    await commit(ctx, state, []);
  });
}
