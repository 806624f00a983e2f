/**
 * Retention: deleting sessions not used since a cutoff, never one whose lease is held. Run by
 * `sessions clean` and, at most once a day, when a session is created.
 * @module
 */
import { basename } from "node:path";
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { withWritableCatalog } from "./catalog_access.ts";
import { idsUsedBefore, overviewsUsedBefore } from "./catalog_sessions.ts";
import { commitChanges, isCurrent, markWriting, syncCatalog } from "./catalog_sync.ts";
import { describeHolder, readLeaseHolder, tryLease } from "./lease.ts";
import type { SessionRecord } from "./record.ts";
import { readSession } from "./resolve.ts";
import type { StoreContext } from "./store_context.ts";
import type { SessionOverview } from "./store_types.ts";
import { journalPath, leasePath, sessionPath } from "./store_paths.ts";
import { DAY_MS, formatTimestamp, timestampMs } from "./time.ts";

/** Brings the catalog up to date unless it is. Exclusive lock. */
export async function ensureCurrent(
  ctx: StoreContext,
  db: SqliteDatabase,
  memory: boolean,
): Promise<void> {
  if (memory || !(await isCurrent(ctx, db))) await syncCatalog(ctx, db, { sweep: !memory });
}

/**
 * Deletes (unless `dryRun`) sessions whose `last_used_at` is before `cutoff` and that nobody
 * holds; reports held ones with `warn`. Exclusive lock held. Returns them newest first. A dry
 * run answers from the catalog; a real one rereads each file before deleting it (the file
 * is the truth: a hand edit may have made it newer).
 */
async function cleanLocked(
  ctx: StoreContext,
  db: SqliteDatabase,
  cutoff: Date,
  dryRun: boolean,
): Promise<SessionOverview[]> {
  const cutoffMs = cutoff.getTime();
  if (dryRun) return overviewsUsedBefore(db, cutoffMs);
  const old = idsUsedBefore(db, cutoffMs);
  if (old.length === 0) return [];
  const records: SessionRecord[] = [];
  const deleted: string[] = [];
  markWriting(db);
  try {
    for (const id of old) {
      const read = await readSession(ctx, id);
      if (read.kind !== "ok" || !(timestampMs(read.record.last_used_at) < cutoffMs)) continue;
      const lease = await tryLease(ctx, id);
      if (lease.inUse) {
        const holder = describeHolder(await readLeaseHolder(ctx, id));
        ctx.warn(`Skipping session ${id}: in use by ${holder}`);
        continue;
      }
      try {
        try {
          await ctx.fs.remove(sessionPath(ctx.paths, id));
        } catch (error) {
          if (isNotFound(error)) continue;
          throw error;
        }
        deleted.push(id);
        await ctx.fs.remove(journalPath(ctx.paths, id)).catch(() => {});
        if (lease.lease) await ctx.fs.remove(leasePath(ctx.paths, id)).catch(() => {});
        records.push(read.record);
      } finally {
        await lease.lease?.release();
      }
    }
  } finally {
    await commitChanges(ctx, db, { deleted });
  }
  return records;
}

/** `clean`: see {@linkcode cleanLocked}; takes the exclusive lock. */
export async function cleanSessions(
  ctx: StoreContext,
  cutoff: Date,
  dryRun: boolean,
): Promise<SessionOverview[]> {
  return await ctx.lock.with("exclusive", () =>
    withWritableCatalog(ctx, async (db, memory) => {
      await ensureCurrent(ctx, db, memory);
      return await cleanLocked(ctx, db, cutoff, dryRun);
    }));
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
 * clock). Costs one small read when it has. Housekeeping never makes anyone wait: when
 * another process holds the store lock, it is skipped until the next new session.
 */
export async function maybeApplyRetention(ctx: StoreContext, retentionDays: number): Promise<void> {
  if (!(retentionDays > 0)) return;
  const now = ctx.clock.now();
  if (await ranRecently(ctx, now.getTime())) return;
  await ctx.lock.with("exclusive", () =>
    withWritableCatalog(ctx, async (db, memory) => {
      // Another process may have run it while this one waited for the lock.
      if (await ranRecently(ctx, now.getTime())) return;
      await ensureCurrent(ctx, db, memory);
      const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
      await cleanLocked(ctx, db, cutoff, false);
      markWriting(db);
      // Temp file and rename: a link planted at the stamp's path is replaced, not followed.
      await writeFileAtomic(
        ctx.fs,
        ctx.paths.dir,
        basename(ctx.paths.retentionStamp),
        new TextEncoder().encode(formatTimestamp(now) + "\n"),
        ctx.pid,
      );
      await commitChanges(ctx, db, {});
    }), { tryOnly: true });
}
