/**
 * The session store on disk (SPEC §2, §6): one `<id>.json` per session under
 * `<CLINVK_HOME>/sessions/`, a cross-process lock, an index for scale, per-session leases,
 * retention and a doctor for bad files. Safe to use from many processes — and many concurrent
 * calls of one process — at once.
 * @module
 */
import type { Clock, Fs } from "../platform/types.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { runDoctor } from "./doctor.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import { generateId, parseIdInput } from "./ids.ts";
import { entryFromRecord } from "./index_entry.ts";
import { appendWriteMark } from "./index_log.ts";
import { commit, ensureCurrent } from "./index_sync.ts";
import { acquireLease } from "./lease.ts";
import { listSessions } from "./list_query.ts";
import { newRecord } from "./new_record.ts";
import type { SessionRecord } from "./record.ts";
import { encodeRecord, readRecord } from "./record_file.ts";
import { getSession, resolveSession } from "./resolve.ts";
import { cleanSessions, maybeApplyRetention } from "./retention.ts";
import { sessionNotFound, sessionUnreadable } from "./session_errors.ts";
import { badFileReporter } from "./store_context.ts";
import type { StoreContext } from "./store_context.ts";
import { StoreLock } from "./store_lock.ts";
import { leasePath, sessionPath, storePaths } from "./store_paths.ts";
import type { SessionStore } from "./store_types.ts";
import { validateRecord } from "./validate_record.ts";

/** Default wait for the store lock before failing with exit 5. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** Dependencies and settings of {@linkcode createFileStore}. */
export interface FileStoreOptions {
  /** `CLINVK_HOME` (e.g. `~/.clinvk`); created 0700 with `sessions/` when missing. */
  home: string;
  fs: Fs;
  clock: Clock;
  /** This process's id; written into lease files and temp file names. */
  pid: number;
  sleep: (ms: number) => Promise<void>;
  /** Prints one warning line on stderr (bad files skipped, sessions in use kept by `clean`). */
  warn: (message: string) => void;
  /** How long to wait for the store lock, and for a lease with `wait`. Default 30 000. */
  lockTimeoutMs?: number;
  /** Draws candidate ids; tests inject collisions. Default: {@linkcode generateId}. */
  newId?: () => string;
}

/** Attempts at drawing an id that no file has before giving up (a broken `newId`). */
const ID_ATTEMPTS = 20;

async function unusedId(ctx: StoreContext): Promise<string> {
  for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
    const id = ctx.newId();
    try {
      await ctx.fs.lstat(sessionPath(ctx.paths, id));
    } catch (error) {
      if (isNotFound(error)) return id;
      throw error;
    }
  }
  throw new Error(`No unused session id after ${ID_ATTEMPTS} attempts`);
}

async function writeRecord(ctx: StoreContext, record: SessionRecord) {
  const written = await writeFileAtomic(
    ctx.fs,
    ctx.paths.dir,
    `${record.id}.json`,
    encodeRecord(record),
    ctx.pid,
  );
  return { entry: entryFromRecord(record, written.mtime, written.size) };
}

/**
 * Creates the file-backed {@linkcode SessionStore}.
 *
 * @example
 * ```ts
 * const platform = denoPlatform();
 * const store = createFileStore({
 *   home: "/home/me/.clinvk",
 *   fs: platform.fs,
 *   clock: platform.clock,
 *   pid: platform.pid,
 *   sleep: platform.sleep,
 *   warn: (message) => platform.stderr.write(`clinvk: ${message}\n`),
 * });
 * const latest = await store.list({ resumable: true, limit: 1 });
 * ```
 */
export function createFileStore(options: FileStoreOptions): SessionStore {
  const paths = storePaths(options.home);
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const ctx: StoreContext = {
    fs: options.fs,
    clock: options.clock,
    pid: options.pid,
    sleep: options.sleep,
    paths,
    lockTimeoutMs,
    lock: new StoreLock({ fs: options.fs, paths, timeoutMs: lockTimeoutMs, sleep: options.sleep }),
    newId: options.newId ?? (() => generateId()),
    warn: options.warn,
    reportBad: badFileReporter(options.warn),
  };

  return {
    dir: paths.dir,

    create: (init) =>
      ctx.lock.with("exclusive", async () => {
        const current = await ensureCurrent(ctx);
        const record = newRecord(init, await unusedId(ctx), ctx.clock.now());
        const state = await appendWriteMark(ctx.fs, paths, current);
        await commit(ctx, state, [await writeRecord(ctx, record)]);
        return record;
      }),

    get: async (id) => await getSession(ctx, parseIdInput(id)),

    resolve: (idOrPrefix) => resolveSession(ctx, idOrPrefix),

    async update(id, mutate) {
      const key = parseIdInput(id);
      return await ctx.lock.with("exclusive", async () => {
        const state = await ensureCurrent(ctx);
        const path = sessionPath(paths, key);
        // Reread under the lock: a concurrent update since the caller's read must not be lost.
        const read = await readRecord(ctx.fs, path, key);
        if (read.kind === "missing") throw sessionNotFound(key);
        if (read.kind === "bad") throw sessionUnreadable(key, path, read.reason);
        const checked = validateRecord({ ...mutate(structuredClone(read.record)), id: key }, key);
        if (!checked.ok) {
          throw new Error(`update() made session ${key} invalid: ${checked.reason}`);
        }
        const marked = await appendWriteMark(ctx.fs, paths, state);
        await commit(ctx, marked, [await writeRecord(ctx, checked.record)]);
        return checked.record;
      });
    },

    async delete(id) {
      const key = parseIdInput(id);
      const lease = await acquireLease(ctx, key, {
        wait: false,
        command: "clinvk sessions delete",
        busyHint: "Wait for it to finish, then delete it.",
      });
      try {
        await ctx.lock.with("exclusive", async () => {
          const state = await appendWriteMark(ctx.fs, paths, await ensureCurrent(ctx));
          try {
            await ctx.fs.remove(sessionPath(paths, key));
          } catch (error) {
            if (!isNotFound(error)) throw error;
            await commit(ctx, state, []); // Nothing changed: no rebuild needed for the mark.
            throw sessionNotFound(key);
          }
          // Safe while holding the lease: nobody else can be using this lease file.
          await ctx.fs.remove(leasePath(paths, key)).catch(() => {});
          await commit(ctx, state, [{ deleted: key }]);
        });
      } finally {
        await lease.release();
      }
    },

    list: (filter = {}) => listSessions(ctx, filter),

    clean: (cutoff, { dryRun }) => cleanSessions(ctx, cutoff, dryRun),

    maybeApplyRetention: (retentionDays) => maybeApplyRetention(ctx, retentionDays),

    doctor: ({ fix }) => runDoctor(ctx, fix),

    acquireLease: async (id, leaseOptions) =>
      await acquireLease(ctx, parseIdInput(id), leaseOptions),
  };
}
