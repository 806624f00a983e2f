/**
 * Removing temp files left by a crash. Every clinvk write creates its temp file under the
 * exclusive lock and renames it before letting go, so a leftover `.tmp-*` belongs to a process
 * that died mid-write. Such a crash also left the directory stamp behind the index, so the
 * next rebuild (which lists the directory anyway) is where they are swept — no extra scan.
 * @module
 */
import { join } from "node:path";
import { tempOwner } from "./atomic_write.ts";
import { isNotFound } from "./fs_errors.ts";
import type { StoreContext } from "./store_context.ts";

/** A temp file older than this is stale whoever owns it. */
export const STALE_TEMP_MS = 60_000;

async function processGone(ctx: StoreContext, pid: number): Promise<boolean> {
  try {
    await ctx.fs.stat(`/proc/${pid}`);
    return false;
  } catch (error) {
    if (!isNotFound(error)) return false;
  }
  // Without procfs (macOS, Windows) a missing /proc/<pid> proves nothing.
  return await ctx.fs.stat("/proc/self").then(() => true, () => false);
}

/**
 * Deletes those of `names` (entries of `sessions/` starting with `.tmp-`) that are older than a
 * minute, belong to this process, or belong to a process that is gone. Call with the
 * exclusive lock held.
 */
export async function sweepTemps(ctx: StoreContext, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const owner = tempOwner(name);
    if (owner === undefined) continue;
    const path = join(ctx.paths.dir, name);
    try {
      const info = await ctx.fs.lstat(path);
      const age = ctx.clock.now().getTime() - (info.mtime?.getTime() ?? 0);
      if (age > STALE_TEMP_MS || owner === ctx.pid || await processGone(ctx, owner)) {
        await ctx.fs.remove(path);
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
