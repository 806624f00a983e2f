/**
 * The session store on disk (SPEC §2, §6): one `<id>.json` per session under
 * `<CLINVK_HOME>/sessions/`, a cross-process lock, a SQLite catalog for scale, search and
 * usage (`catalog.ts`), per-session leases, retention and a doctor for bad files. Safe to use from many processes — and many concurrent
 * calls of one process — at once.
 * @module
 */
import type { Clock, Fs, ProcessTable } from "../platform/types.ts";
import type { Threads } from "../platform/threads.ts";
import { openSqlite } from "../platform/sqlite.ts";
import type { OpenSqlite, SqliteDatabase } from "../platform/sqlite.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { Catalog } from "./catalog.ts";
import { readCatalog, withWritableCatalog } from "./catalog_access.ts";
import type { Preparation } from "./catalog_access.ts";
import { ensureSearchTables, searchCatalog, searchTablesReady } from "./catalog_search.ts";
import { usageCells } from "./catalog_usage.ts";
import { rowRecord } from "./list_item.ts";
import {
  commitTurn,
  markTurnsWriting,
  syncJournals,
  turnsCurrent,
  turnsOf,
} from "./turn_catalog.ts";
import { appendJournal } from "./turn_journal.ts";
import { commitChanges } from "./catalog_sync.ts";
import { startWrite } from "./catalog_write.ts";
import type { SessionWrite } from "./catalog_sessions.ts";
import { runDoctor } from "./doctor.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import { generateId, parseIdInput } from "./ids.ts";
import { acquireLease, checkLeftBehind } from "./lease.ts";
import { listSessions, listSessionsJson } from "./list_query.ts";
import { newRecord } from "./new_record.ts";
import type { SessionRecord } from "./record.ts";
import { getSession, readSession, resolveSession } from "./resolve.ts";
import { cleanSessions, maybeApplyRetention } from "./retention.ts";
import { encodeRecord } from "./session_file.ts";
import { sessionNotFound, sessionUnreadable } from "./session_errors.ts";
import { badFileReporter } from "./store_context.ts";
import type { ScanTuning, StoreContext } from "./store_context.ts";
import { StoreLock } from "./store_lock.ts";
import { journalPath, leasePath, sessionPath, storePaths } from "./store_paths.ts";
import { MAX_ANSWER_CHARS } from "./store_types.ts";
import type { SessionStore, TurnEntry } from "./store_types.ts";
import { commitStaged, mutated, stageUpdate } from "./staged_update.ts";
import { UpdateLocks } from "./update_locks.ts";

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
  /**
   * How long to wait for the store lock, and for a lease with `wait`. Default 30 000. A wait
   * for the store lock that times out cannot be cancelled: it stays pending in one of Deno's
   * threads until the holder lets go, and keeps a process that does not exit by itself alive
   * until then (`lock_wait.ts`; the `clinvk` command exits).
   */
  lockTimeoutMs?: number;
  /** Draws candidate ids; tests inject collisions. Default: {@linkcode generateId}. */
  newId?: () => string;
  /** Opens SQLite databases (the catalog); tests inject failures. Default: `node:sqlite`. */
  openSqlite?: OpenSqlite;
  /**
   * Worker threads for looking at (and, for a rebuild, reading) every session file of a large
   * store; without them everything runs on the calling thread.
   */
  threads?: Threads;
  /** How scans use `threads`; tests use them on small stores. Default: by size. */
  scanTuning?: ScanTuning;
  /** This machine's processes, to stop backends a killed clinvk left running (see `lease.ts`). */
  processes?: ProcessTable;
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

async function writeRecord(ctx: StoreContext, record: SessionRecord): Promise<SessionWrite> {
  const bytes = encodeRecord(record);
  const stamp = await writeFileAtomic(ctx.fs, ctx.paths.dir, `${record.id}.json`, bytes, ctx.pid);
  return { record, stamp };
}

/**
 * Runs a write under the exclusive lock: brings the catalog up to date, marks it as being
 * written, lets `change` change the files, then commits what it reports.
 */
async function writing<T>(
  ctx: StoreContext,
  change: (
    db: SqliteDatabase,
  ) => Promise<{ result: T; writes?: SessionWrite[]; deleted?: string[] }>,
  lockOptions?: { waitMs: number },
): Promise<T> {
  return await ctx.lock.with("exclusive", () =>
    withWritableCatalog(ctx, async (db, memory) => {
      await startWrite(ctx, db, memory);
      const done = await change(db);
      await commitChanges(ctx, db, { upsert: done.writes ?? [], deleted: done.deleted ?? [] });
      ctx.catalog.sayPending();
      return done.result;
    }, { quiet: true }), lockOptions);
}

/** Cuts an answer to {@linkcode MAX_ANSWER_CHARS} characters (never inside a surrogate pair). */
function capAnswer(answer: string): string {
  if (answer.length <= MAX_ANSWER_CHARS) return answer;
  return Array.from(answer).slice(0, MAX_ANSWER_CHARS).join("");
}

/**
 * Creates the file-backed {@linkcode SessionStore}.
 *
 * @example
 * ```ts
 * import { denoPlatform } from "../platform/deno_platform.ts";
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
  const turnsReady: Preparation = {
    ready: (db) => turnsCurrent(ctx, db),
    make: (db) => syncJournals(ctx, db, { rereadAll: false }),
  };
  const searchReady: Preparation = {
    ready: async (db) => searchTablesReady(db) && await turnsCurrent(ctx, db),
    async make(db) {
      if (!(await turnsCurrent(ctx, db))) await syncJournals(ctx, db, { rereadAll: false });
      ensureSearchTables(db);
    },
  };
  const ctx: StoreContext = {
    fs: options.fs,
    clock: options.clock,
    pid: options.pid,
    sleep: options.sleep,
    paths,
    lockTimeoutMs,
    threads: options.threads,
    scanTuning: options.scanTuning,
    processes: options.processes,
    lock: new StoreLock({ fs: options.fs, paths, timeoutMs: lockTimeoutMs }),
    updateLocks: new UpdateLocks({ fs: options.fs, paths }),
    catalog: new Catalog({
      fs: options.fs,
      paths,
      openSqlite: options.openSqlite ?? openSqlite,
      warn: options.warn,
    }),
    newId: options.newId ?? (() => generateId()),
    warn: options.warn,
    reportBad: badFileReporter(options.warn),
  };

  return {
    dir: paths.dir,

    create: (init) =>
      writing(ctx, async () => {
        const record = newRecord(init, await unusedId(ctx), ctx.clock.now());
        return { result: record, writes: [await writeRecord(ctx, record)] };
      }),

    get: async (id) => await getSession(ctx, parseIdInput(id)),

    resolve: (idOrPrefix) => resolveSession(ctx, idOrPrefix),

    async update(id, mutate) {
      const key = parseIdInput(id);
      const started = performance.now();
      // The new file is written and fsynced before the store lock (see `staged_update.ts`).
      return await ctx.updateLocks.with(key, lockTimeoutMs, async (held) => {
        const staged = held ? await stageUpdate(ctx, key, mutate) : undefined;
        return await writing(ctx, async () => {
          const placed = staged && await commitStaged(ctx, key, staged);
          if (placed) return { result: placed.record, writes: [placed] };
          // Reread under the lock: a concurrent update since the caller's read must not be lost.
          const read = await readSession(ctx, key);
          if (read.kind === "missing") throw sessionNotFound(key);
          if (read.kind === "bad") {
            throw sessionUnreadable(key, sessionPath(paths, key), read.reason);
          }
          const record = mutated(key, read.record, mutate);
          return { result: record, writes: [await writeRecord(ctx, record)] };
        }, { waitMs: lockTimeoutMs - (performance.now() - started) });
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
        const found = await writing(ctx, async () => {
          try {
            await ctx.fs.remove(sessionPath(paths, key));
          } catch (error) {
            if (!isNotFound(error)) throw error;
            return { result: false };
          }
          await ctx.fs.remove(journalPath(paths, key)).catch(() => {});
          // Safe while holding the lease: nobody else can be using this lease file.
          await ctx.fs.remove(leasePath(paths, key)).catch(() => {});
          return { result: true, deleted: [key] };
        });
        if (!found) throw sessionNotFound(key);
      } finally {
        await lease.release();
      }
    },

    list: (filter = {}) => listSessions(ctx, filter),

    listJson: (filter = {}) => listSessionsJson(ctx, filter),

    clean: (cutoff, { dryRun }) => cleanSessions(ctx, cutoff, dryRun),

    maybeApplyRetention: (retentionDays) => maybeApplyRetention(ctx, retentionDays),

    doctor: async ({ fix }) => {
      const bad = await runDoctor(ctx, fix);
      await checkLeftBehind(ctx, fix); // Backends killed clinvk processes left running.
      return bad;
    },

    async appendTurn(id, entry) {
      const key = parseIdInput(id);
      const kept: TurnEntry = { ...entry, answer: capAnswer(entry.answer) };
      await ctx.lock.with("exclusive", () =>
        withWritableCatalog(ctx, async (db, memory) => {
          if (memory) {
            // The journal is the truth; an in-memory catalog rereads it when asked.
            await appendJournal(ctx.fs, paths, key, kept);
            return;
          }
          const wasCurrent = await turnsCurrent(ctx, db);
          markTurnsWriting(db);
          const stamp = await appendJournal(ctx.fs, paths, key, kept);
          await commitTurn(ctx, db, key, kept, stamp, wasCurrent);
        }, { quiet: true }));
      ctx.catalog.sayPending();
    },

    turns: async (id) => {
      const key = parseIdInput(id);
      return await readCatalog(ctx, (db) => Promise.resolve(turnsOf(db, key)), turnsReady);
    },

    search: async (query) =>
      await readCatalog(
        ctx,
        (db) =>
          Promise.resolve(
            searchCatalog(db, query.text, {
              backend: query.backend,
              tags: query.tags,
              workdir: query.workdir,
              sinceMs: query.sinceMs,
            }, query.limit ?? 20).map((hit) => ({
              record: rowRecord(hit.row),
              snippet: hit.snippet,
              turn: hit.turn,
              score: hit.score,
            })),
          ),
        searchReady,
      ),

    usage: async (query) =>
      await readCatalog(ctx, (db) => Promise.resolve(usageCells(db, query)), turnsReady),

    acquireLease: async (id, leaseOptions) =>
      await acquireLease(ctx, parseIdInput(id), leaseOptions),
  };
}
