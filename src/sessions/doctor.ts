/**
 * `doctor`: finds every bad `*.json` in `sessions/` (rereading all files) — unparsable, of the
 * wrong shape, not a regular file, a dangling or looping link — and, with `fix`, moves them
 * to `sessions/.corrupt/`; never deletes them: they are the user's data.
 * @module
 */
import { join } from "node:path";
import { isNotFound } from "../platform/fs_errors.ts";
import { withWritableCatalog } from "./catalog_access.ts";
import { markWriting, syncCatalog } from "./catalog_sync.ts";
import type { StoreContext } from "./store_context.ts";
import { ensurePrivateDir } from "./store_paths.ts";
import type { BadFile } from "./store_types.ts";

async function exists(ctx: StoreContext, path: string): Promise<boolean> {
  try {
    await ctx.fs.lstat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** A free name in `.corrupt/`: the same name, else `x.1.json`, `x.2.json`, … */
async function quarantineName(ctx: StoreContext, name: string): Promise<string> {
  const stem = name.endsWith(".json") ? name.slice(0, -".json".length) : name;
  let candidate = name;
  for (let n = 1; await exists(ctx, join(ctx.paths.corrupt, candidate)); n++) {
    candidate = `${stem}.${n}.json`;
  }
  return candidate;
}

/** Lists bad session files; with `fix`, moves them to `.corrupt/`. Takes the exclusive lock. */
export async function runDoctor(ctx: StoreContext, fix: boolean): Promise<BadFile[]> {
  return await ctx.lock.with("exclusive", () =>
    withWritableCatalog(ctx, async (db, memory) => {
      const bad = await syncCatalog(ctx, db, { rereadAll: true, report: false, sweep: !memory });
      const found = bad.map((row) => ({ path: join(ctx.paths.dir, row.name), reason: row.reason }));
      if (!fix || found.length === 0) return found;
      markWriting(db);
      await ensurePrivateDir(ctx.fs, ctx.paths.corrupt);
      for (const row of bad) {
        // rename moves a link or a FIFO itself; nothing is followed or opened.
        const target = join(ctx.paths.corrupt, await quarantineName(ctx, row.name));
        await ctx.fs.rename(join(ctx.paths.dir, row.name), target);
      }
      await syncCatalog(ctx, db, { report: false, sweep: false });
      return found;
    }));
}
