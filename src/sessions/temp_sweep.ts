/**
 * Removing temp files left by a crash. Every clinvk write creates its `.tmp-<pid>-<random>`
 * and renames it away while holding the exclusive store lock, so whoever holds that lock
 * knows every temp file it finds is an orphan of a process that died mid-write — no need to
 * guess from ages or pids (and Deno only lets `-A` programs look at `/proc`). Such a crash
 * also left the directory stamp ahead of the index, so the next rebuild, which lists the
 * directory anyway, is where they are swept: no extra directory scan on ordinary writes.
 * @module
 */
import { join } from "node:path";
import { tempOwner } from "./atomic_write.ts";
import type { StoreContext } from "./store_context.ts";

/**
 * Deletes those of `names` (entries of `sessions/`) that are clinvk temp files. Call only
 * with the exclusive lock held.
 */
export async function sweepTemps(ctx: StoreContext, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (tempOwner(name) === undefined) continue; // Not ours; leave it alone.
    // Housekeeping must never fail the read that triggered it (e.g. a directory by that name).
    await ctx.fs.remove(join(ctx.paths.dir, name)).catch(() => {});
  }
}
