/**
 * `update()` with its slow part outside the store lock (issue 12: 16 concurrent writers). An
 * update's cost is the fsync of its new file (1–2 ms on a busy disk, most of an update); made
 * under the store lock, every update of every session waited for the one before it. Now the
 * new file is written to `sessions/.staging/<stripe>.tmp` and fsynced while holding only the
 * session's update lock (`update_locks.ts`), so the fsyncs of updates of different sessions
 * overlap; under the store lock what is left is to check that the session file is still the
 * one the change was made from, rename the staged file over it and commit the catalog row.
 *
 * - **Atomic** as SPEC §6 asks: the new file is whole and fsynced before the rename, the
 *   rename stays within `sessions/` (on one file system), and the target is never deleted
 *   first; a crash leaves the old file or the new one.
 * - **No update lost**: the staged file is used only if the session file still holds exactly
 *   the text the change was made from. If anything wrote it meanwhile (a hand edit, `delete`,
 *   an update that had to run without the update lock), the staged file is dropped and the
 *   update made again under the store lock from the file as it is then, as before.
 * - **`sessions/` stays still** until the store lock is held: the staged file is in a
 *   subdirectory, so the catalog's one-`stat` currency check (`catalog_sync.ts`) is not
 *   disturbed, and a resync's sweep of `sessions/.tmp-*` never meets it. A killed updater's
 *   staged file is removed by the next holder of its update lock, the only one who may use it.
 * @module
 */
import { join } from "node:path";
import { writeSyncedFile } from "./atomic_write.ts";
import type { SessionWrite } from "./catalog_sessions.ts";
import { isAlreadyExists } from "../platform/fs_errors.ts";
import { renameWithRetry } from "../platform/rename_retry.ts";
import type { SessionRecord } from "./record.ts";
import { readSession } from "./resolve.ts";
import { encodeRecord, sameStamp, stampOf } from "./session_file.ts";
import type { StoreContext } from "./store_context.ts";
import { sessionPath } from "./store_paths.ts";
import { stripeName, stripeOf } from "./update_locks.ts";
import { validateRecord } from "./validate_record.ts";

/** A session's changed record, written and fsynced beside the store, not yet in place. */
export interface StagedUpdate {
  /** The staged file. */
  path: string;
  /** The session file's text the change was made from. */
  from: string;
  record: SessionRecord;
  stamp: SessionWrite["stamp"];
}

/** `mutate`'s record for session `id`, validated; throws when `mutate` made it invalid. */
export function mutated(
  id: string,
  current: SessionRecord,
  mutate: (current: SessionRecord) => SessionRecord,
): SessionRecord {
  // The record was just parsed from the file: `mutate` may change it, nobody else has it.
  const checked = validateRecord({ ...mutate(current), id }, id);
  if (!checked.ok) throw new Error(`update() made session ${id} invalid: ${checked.reason}`);
  return checked.record;
}

async function removeQuietly(ctx: StoreContext, path: string): Promise<void> {
  await ctx.fs.remove(path).catch(() => {});
}

/**
 * Reads session `id`, applies `mutate` and writes the result to the session's staged file,
 * fsynced. Call holding the session's update lock, without the store lock. `undefined` when
 * the update is better made under the store lock alone: the file is missing or bad (which the
 * locked path reports), `mutate` threw (it may not on the file as the lock will find it),
 * or the staged file could not be written.
 */
export async function stageUpdate(
  ctx: StoreContext,
  id: string,
  mutate: (current: SessionRecord) => SessionRecord,
): Promise<StagedUpdate | undefined> {
  const read = await readSession(ctx, id);
  if (read.kind !== "ok") return undefined;
  let record: SessionRecord;
  try {
    record = mutated(id, read.record, mutate);
  } catch {
    return undefined;
  }
  const path = join(ctx.paths.staging, `${stripeName(stripeOf(id))}.tmp`);
  const bytes = encodeRecord(record);
  try {
    let stamp;
    try {
      stamp = await writeSyncedFile(ctx.fs, path, bytes);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Left by an updater killed mid-way: nobody else holds this update lock. (Removed only
      // when found: a failed call costs more than the write, and is rare.)
      await ctx.fs.remove(path);
      stamp = await writeSyncedFile(ctx.fs, path, bytes);
    }
    return { path, from: read.text, record, stamp };
  } catch {
    await removeQuietly(ctx, path);
    return undefined;
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The session file's text, or `undefined` when it is not there or not text. */
async function currentText(ctx: StoreContext, id: string): Promise<string | undefined> {
  try {
    return decoder.decode(await ctx.fs.readFile(sessionPath(ctx.paths, id)));
  } catch {
    return undefined;
  }
}

/**
 * Whether the staged file is still the one this update wrote. It may not be when `.staging/`
 * was removed and made again meanwhile (by hand, or a store put back from a copy): its lock
 * files are new ones then, so an updater of another session of the same stripe may have
 * staged its own file at the same name — renamed over this session, it would replace it.
 */
async function stillStaged(ctx: StoreContext, staged: StagedUpdate): Promise<boolean> {
  try {
    return sameStamp(stampOf(await ctx.fs.lstat(staged.path)), staged.stamp);
  } catch {
    return false;
  }
}

/**
 * Puts a staged update in place if the session file is still what it was made from (store
 * lock held, catalog marked as being written); otherwise drops it and returns `undefined`, and
 * the caller makes the update again.
 */
export async function commitStaged(
  ctx: StoreContext,
  id: string,
  staged: StagedUpdate,
): Promise<SessionWrite | undefined> {
  // Not ours any more: left to the updater who wrote it.
  if (!(await stillStaged(ctx, staged))) return undefined;
  if (await currentText(ctx, id) !== staged.from) {
    await removeQuietly(ctx, staged.path);
    return undefined;
  }
  try {
    await renameWithRetry(ctx.fs, staged.path, sessionPath(ctx.paths, id));
  } catch {
    await removeQuietly(ctx, staged.path);
    return undefined;
  }
  return { record: staged.record, stamp: staged.stamp };
}
