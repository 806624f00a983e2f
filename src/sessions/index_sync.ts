/**
 * Keeping the index in step with the files (see `index_log.ts` for the design): rebuild it
 * from the directory when the directory changed behind clinvk's back, compact it when its
 * tail grows, fix single entries that a read found out of date. All of these run with the
 * exclusive store lock held.
 * @module
 */
import { join } from "node:path";
import { TEMP_PREFIX } from "./atomic_write.ts";
import { errorMessage, errorName, isNotFound } from "../platform/fs_errors.ts";
import { isValidId } from "./ids.ts";
import { entryFromRecord } from "./index_entry.ts";
import type { IndexEntry } from "./index_entry.ts";
import type { BadLine } from "./index_format.ts";
import {
  appendChanges,
  loadIndex,
  needsCompaction,
  observeDir,
  readIndexState,
  writeIndex,
} from "./index_log.ts";
import type { IndexChange, IndexState, LoadedIndex, Slot } from "./index_log.ts";
import { mapPool } from "./pool.ts";
import { parseRecordBytes, readRecordWithStat } from "./record_file.ts";
import type { StoreContext } from "./store_context.ts";
import { sessionPath } from "./store_paths.ts";
import { sweepTemps } from "./temp_sweep.ts";
import { timestampMs } from "./time.ts";

/** What a rebuild found. */
export interface Rebuilt {
  state: IndexState;
  /** Every bad `*.json` file, already reported. */
  bad: BadLine[];
  /** Every live entry, in ascending list order. */
  live: IndexEntry[];
}

const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts entries into ascending list order: `last_used_at`, then log position, then age. */
function ascending(items: { entry: IndexEntry; pos: number }[]): IndexEntry[] {
  return items
    .map((item) => ({ ...item, lastUsed: timestampMs(item.entry.last_used_at) }))
    .sort((a, b) =>
      compare(a.lastUsed, b.lastUsed) || compare(a.pos, b.pos) ||
      compare(timestampMs(a.entry.created_at), timestampMs(b.entry.created_at)) ||
      compare(a.entry.id, b.entry.id)
    )
    .map((item) => item.entry);
}

async function examine(
  ctx: StoreContext,
  name: string,
  prior: Slot | undefined,
  rereadAll: boolean,
): Promise<Slot | undefined> {
  const path = join(ctx.paths.dir, name);
  const stem = name.slice(0, -".json".length);
  let info: Deno.FileInfo;
  try {
    info = await ctx.fs.stat(path);
  } catch (error) {
    if (isNotFound(error)) return undefined; // Removed meanwhile, or a dangling symlink.
    throw error;
  }
  const mtime = info.mtime?.getTime() ?? 0;
  const size = info.size;
  // Positions of files new to the index sort after every known one.
  const pos = prior?.pos ?? Number.MAX_SAFE_INTEGER;
  const bad = (reason: string): Slot => ({
    kind: "bad",
    bad: { bad: name, reason, mtime, size },
    pos,
  });
  if (!isValidId(stem)) return bad("file name is not a valid session id");
  if (!info.isFile) return bad("not a regular file");
  const same = prior &&
    (prior.kind === "entry" ? prior.entry : prior.bad).mtime === mtime &&
    (prior.kind === "entry" ? prior.entry : prior.bad).size === size;
  if (same && !rereadAll) return prior;
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (errorName(error) === "NotCapable") throw error; // Missing --allow-read: main explains.
    return bad(`cannot be read (${errorMessage(error)})`);
  }
  const read = parseRecordBytes(bytes, stem);
  if (read.kind === "bad") return bad(read.reason);
  if (read.kind === "missing") return undefined;
  return { kind: "entry", entry: entryFromRecord(read.record, mtime, size), pos };
}

/**
 * Rebuilds the index from the directory: lists it, sweeps crashed writers' temp files, stats
 * every `*.json`, rereads those that changed (all of them with `rereadAll`), reports bad ones
 * and writes a fresh compacted index.
 */
export async function rebuildIndex(
  ctx: StoreContext,
  options: { rereadAll: boolean; report?: boolean },
): Promise<Rebuilt> {
  const old = await loadIndex(ctx.fs, ctx.paths.index);
  const names: string[] = [];
  const temps: string[] = [];
  for await (const item of ctx.fs.readDir(ctx.paths.dir)) {
    if (item.name.startsWith(TEMP_PREFIX)) temps.push(item.name);
    else if (!item.name.startsWith(".") && item.name.endsWith(".json")) names.push(item.name);
  }
  await sweepTemps(ctx, temps);
  const found = await mapPool(
    names,
    (name) => examine(ctx, name, old?.slots.get(name), options.rereadAll),
  );
  const live: { entry: IndexEntry; pos: number }[] = [];
  const bad: BadLine[] = [];
  for (const item of found) {
    if (item?.kind === "entry") live.push(item);
    if (item?.kind === "bad") bad.push(item.bad);
  }
  bad.sort((a, b) => compare(a.bad, b.bad));
  if (options.report !== false) {
    for (const file of bad) ctx.reportBad(join(ctx.paths.dir, file.bad), file.reason);
  }
  const sorted = ascending(live);
  const state = await writeIndex(ctx.fs, ctx.paths, ctx.pid, sorted, bad);
  return { state, bad, live: sorted };
}

/** Rewrites the index from itself, dropping superseded lines and tombstones. */
export async function compactIndex(ctx: StoreContext, loaded?: LoadedIndex): Promise<IndexState> {
  const index = loaded ?? await loadIndex(ctx.fs, ctx.paths.index);
  if (!index) return (await rebuildIndex(ctx, { rereadAll: false })).state;
  const live: { entry: IndexEntry; pos: number }[] = [];
  const bad: BadLine[] = [];
  for (const slot of index.slots.values()) {
    if (slot.kind === "entry") live.push(slot);
    else bad.push(slot.bad);
  }
  return await writeIndex(ctx.fs, ctx.paths, ctx.pid, ascending(live), bad);
}

/** The index state if it matches the directory, else `undefined`. Any lock will do. */
export async function currentState(ctx: StoreContext): Promise<IndexState | undefined> {
  const state = await readIndexState(ctx.fs, ctx.paths.index);
  if (!state) return undefined;
  return state.last.dir === await observeDir(ctx.fs, ctx.paths.dir) ? state : undefined;
}

/** The current index state, rebuilding first when the directory changed. Exclusive lock. */
export async function ensureCurrent(ctx: StoreContext): Promise<IndexState> {
  return await currentState(ctx) ?? (await rebuildIndex(ctx, { rereadAll: false })).state;
}

/** Records changes just made on disk, compacting when the tail has grown. Exclusive lock. */
export async function commit(
  ctx: StoreContext,
  state: IndexState,
  changes: readonly IndexChange[],
): Promise<IndexState> {
  const next = await appendChanges(ctx.fs, ctx.paths, state, changes);
  return needsCompaction(next) ? await compactIndex(ctx) : next;
}

/**
 * Rereads the files of `ids`, which a reader found different from their entries, and appends
 * corrected entries (or tombstones). A file that turned bad needs a rebuild to be recorded as
 * such. Exclusive lock.
 */
export async function recheck(
  ctx: StoreContext,
  state: IndexState,
  ids: readonly string[],
): Promise<IndexState> {
  const changes: IndexChange[] = [];
  for (const id of new Set(ids)) {
    const read = await readRecordWithStat(ctx.fs, sessionPath(ctx.paths, id), id);
    if (read.kind === "bad") return (await rebuildIndex(ctx, { rereadAll: false })).state;
    changes.push(
      read.kind === "ok" ? { entry: entryFromRecord(read.record, read.mtime, read.size) } : {
        deleted: id,
      },
    );
  }
  return await commit(ctx, state, changes);
}
