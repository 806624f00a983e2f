/**
 * The run store: `$CLINVK_HOME/runs/<run-id>.json`, one record per run, with the session
 * store's rules — atomic writes (temp file, fsync, rename), mode 0600, reads and writes under
 * `runs/.lock`, and a bad file reported and skipped instead of breaking `runs list`. Everything
 * else it keeps there is a dot-name, so `runs/*.json` matches run records only.
 * @module
 */
import { join } from "node:path";
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import type { Clock, Fs } from "../platform/types.ts";
import { writeFileAtomic } from "../sessions/atomic_write.ts";
import { generateId, isValidId } from "../sessions/ids.ts";
import { ensurePrivateDir } from "../sessions/store_paths.ts";
import {
  describeLeaseHolder,
  leaseHeld,
  type LeaseHolder,
  type RunLease,
  StoreFileLock,
  tryLeaseFile,
} from "./run_lock.ts";
import { RUN_STATUSES, type RunRecord } from "./run_record.ts";

/** What {@linkcode createRunStore} needs. */
export interface RunStoreOptions {
  /** `CLINVK_HOME`. */
  home: string;
  fs: Fs;
  clock: Clock;
  pid: number;
  sleep(ms: number): Promise<void>;
  /** Receives "skipped a bad file" warnings. */
  warn(message: string): void;
  lockTimeoutMs: number;
}

/** The run store. Safe to use from many processes at once. */
export interface RunStore {
  /** `<home>/runs`. */
  readonly dir: string;
  /** A fresh run id (no record has it). */
  newId(): Promise<string>;
  /** Reads a run by exact id; `undefined` when there is none. */
  get(id: string): Promise<RunRecord | undefined>;
  /** Finds a run by id or unique prefix (exit 4 when none or several match, exit 2 for a bad id). */
  resolve(idOrPrefix: string): Promise<RunRecord>;
  /**
   * Writes `record` (the coordinator's copy) under the lock, keeping a cancel request another
   * process wrote meanwhile. Returns the record as written.
   */
  save(record: RunRecord): Promise<RunRecord>;
  /** Read-modify-write under the exclusive lock. */
  update(id: string, mutate: (current: RunRecord) => RunRecord): Promise<RunRecord>;
  /** Every readable run, newest first. */
  list(): Promise<RunRecord[]>;
  /** Deletes a run record (and its lease file). */
  delete(id: string): Promise<void>;
  /** Takes the run's lease: exit 5 naming the holder when another process drives the run. */
  acquireLease(id: string, command: string): Promise<RunLease>;
  /** Whether a process drives the run now. */
  isLive(id: string): Promise<boolean>;
  /** Modification time of the run's file in ms, to notice writes by other processes cheaply. */
  modifiedAt(id: string): Promise<number | undefined>;
}

const encoder = new TextEncoder();

/** Opens the run store under `<home>/runs`. */
export function createRunStore(options: RunStoreOptions): RunStore {
  const { fs, home } = options;
  const dir = join(home, "runs");
  const leases = join(dir, ".leases");
  const file = (id: string) => join(dir, `${id}.json`);
  const ensureDirs = async () => {
    await ensurePrivateDir(fs, home);
    await ensurePrivateDir(fs, dir);
    await ensurePrivateDir(fs, leases);
  };
  const lock = new StoreFileLock({
    fs,
    path: join(dir, ".lock"),
    timeoutMs: options.lockTimeoutMs,
    sleep: options.sleep,
    ensureDirs,
  });
  let dirsReady = false;
  const ready = async () => {
    if (dirsReady) return;
    await ensureDirs();
    dirsReady = true;
  };

  const read = async (id: string): Promise<RunRecord | undefined> => {
    let text: string;
    try {
      text = await fs.readTextFile(file(id));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const record = decode(text);
    if (!record) {
      throw usageError(
        `Cannot read run ${id}: ${file(id)} is not a valid run record`,
        "Move the file away (or delete it) to forget the run.",
      );
    }
    return record;
  };
  // What this process wrote last, per run: a save reads the file back only when someone else
  // wrote it since (`runs cancel`), instead of parsing the whole record before every write.
  const ownWrites = new Map<string, number>();
  const write = async (record: RunRecord) => {
    const bytes = encoder.encode(JSON.stringify(record, null, 2) + "\n");
    const written = await writeFileAtomic(fs, dir, `${record.id}.json`, bytes, options.pid);
    ownWrites.set(record.id, written.mtime);
  };
  const changedSinceOwnWrite = async (id: string) => {
    const own = ownWrites.get(id);
    if (own === undefined) return true;
    const info = await fs.stat(file(id)).catch(() => undefined);
    return info?.mtime?.getTime() !== own;
  };
  const checkId = (id: string) => {
    const normal = id.trim().toLowerCase();
    if (!isValidId(normal)) {
      throw usageError(
        `Invalid run id ${JSON.stringify(id)}: use only letters and digits`,
        "Run `clinvk runs list` to see run ids.",
      );
    }
    return normal;
  };
  const ids = async (): Promise<string[]> => {
    const found: string[] = [];
    try {
      for await (const entry of fs.readDir(dir)) {
        if (entry.isFile && entry.name.endsWith(".json") && !entry.name.startsWith(".")) {
          found.push(entry.name.slice(0, -5));
        }
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return found.filter(isValidId);
  };

  return {
    dir,
    async newId() {
      await ready();
      for (;;) {
        const id = generateId();
        if ((await fs.lstat(file(id)).catch(() => undefined)) === undefined) return id;
      }
    },
    async get(id) {
      const normal = checkId(id);
      return await lock.with("shared", () => read(normal));
    },
    async resolve(idOrPrefix) {
      const prefix = checkId(idOrPrefix);
      const matches = (await ids()).filter((id) => id.startsWith(prefix));
      const exact = matches.includes(prefix)
        ? prefix
        : matches.length === 1
        ? matches[0]
        : undefined;
      if (exact) {
        const record = await lock.with("shared", () => read(exact));
        if (record) return record;
      }
      if (matches.length > 1) {
        throw new ClinvkError(
          `Run id prefix "${prefix}" is ambiguous: ${matches.sort().join(", ")}`,
          ExitCode.SessionNotFound,
          "Give more characters.",
        );
      }
      throw new ClinvkError(
        `Run ${prefix} does not exist`,
        ExitCode.SessionNotFound,
        "See clinvk runs list.",
      );
    },
    async save(record) {
      await ready();
      return await lock.with("exclusive", async () => {
        const disk = await changedSinceOwnWrite(record.id)
          ? await read(record.id).catch(() => undefined)
          : undefined;
        const merged = disk?.cancel_requested_at && !record.cancel_requested_at
          ? { ...record, cancel_requested_at: disk.cancel_requested_at }
          : record;
        await write(merged);
        return merged;
      });
    },
    async update(id, mutate) {
      await ready();
      return await lock.with("exclusive", async () => {
        const current = await read(id);
        if (!current) {
          throw new ClinvkError(`Run ${id} does not exist`, ExitCode.SessionNotFound);
        }
        const next = mutate(current);
        await write(next);
        return next;
      });
    },
    async list() {
      const records: RunRecord[] = [];
      await lock.with("shared", async () => {
        for (const id of await ids()) {
          try {
            const text = await fs.readTextFile(file(id));
            const record = decode(text);
            if (record) records.push(record);
            else options.warn(`skipped ${file(id)}: not a valid run record`);
          } catch (error) {
            if (!isNotFound(error)) throw error;
          }
        }
      });
      return records.sort((a, b) => b.created_at.localeCompare(a.created_at));
    },
    async delete(id) {
      await lock.with("exclusive", async () => {
        try {
          await fs.remove(file(id));
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
        await fs.remove(join(leases, id)).catch(() => {});
      });
    },
    async acquireLease(id, command) {
      await ready();
      const holder: LeaseHolder = {
        pid: options.pid,
        started_at: options.clock.now().toISOString(),
        command,
      };
      const lease = await tryLeaseFile(fs, join(leases, id), id, holder);
      if (lease) return lease;
      const text = await fs.readTextFile(join(leases, id)).catch(() => undefined);
      throw new ClinvkError(
        `Run ${id} is in use by ${describeLeaseHolder(text)}`,
        ExitCode.Busy,
        `Wait for it to finish, or stop it with: clinvk runs cancel ${id}`,
      );
    },
    isLive: (id) => leaseHeld(fs, join(leases, id)),
    async modifiedAt(id) {
      try {
        return (await fs.stat(file(id))).mtime?.getTime();
      } catch {
        return undefined;
      }
    },
  };
}

/** Parses a run file; `undefined` when it is not a run record. */
function decode(text: string): RunRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = value as Partial<RunRecord> | null;
  if (
    !record || typeof record !== "object" || typeof record.id !== "string" ||
    !Array.isArray(record.tasks) || !(RUN_STATUSES as readonly string[]).includes(record.status!) ||
    typeof record.created_at !== "string"
  ) {
    return undefined;
  }
  return record as RunRecord;
}
