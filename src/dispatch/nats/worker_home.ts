/**
 * What a worker keeps in its own `$CLINVK_HOME/worker/`: its id (made up once, so a restarted
 * worker is the same worker and tasks continuing its sessions still find it), the lock that
 * keeps two workers of one id in one home apart, and a journal of the jobs it has started.
 * A job stays in the journal until its result is on the server; an entry left over at start-up
 * is a job this worker was killed in the middle of.
 *
 * ```
 * worker/id                 the made-up id (when neither --id nor worker.id names one)
 * worker/<id>.lock          held while worker <id> runs
 * worker/<id>.jobs/<key>    one JSON line per running job that has a session: key, job, session
 * ```
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../config/atomic_write.ts";
import { ClinvkError, ExitCode } from "../../errors.ts";
import { isNotFound } from "../../platform/fs_errors.ts";
import type { Fs } from "../../platform/types.ts";
import { describeLeaseHolder, type RunLease, tryLeaseFile } from "../../runs/run_lock.ts";
import { generateId } from "../../sessions/ids.ts";
import { checkName } from "./subjects.ts";

/** A started job, as the journal keeps it. */
export interface JournalEntry {
  key: string;
  job_id: string;
  session_id?: string;
  started_at: string;
}

const FILE_MODE = { mode: 0o600, dirMode: 0o700 };

/** The worker's directory in `home`. */
export function workerDir(home: string): string {
  return join(home, "worker");
}

/**
 * The worker's id: `explicit` (`--id` or `worker.id`) when given, else the one kept in
 * `worker/id`, made up on first use.
 *
 * @throws {ClinvkError} exit 2 for an id that is not letters, digits and `-`.
 */
export async function workerId(fs: Fs, home: string, explicit?: string): Promise<string> {
  if (explicit) return checkName(explicit, "worker id");
  const path = join(workerDir(home), "id");
  try {
    const kept = (await fs.readTextFile(path)).trim();
    if (kept) return checkName(kept, `worker id in ${path}`);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const made = `w-${generateId()}`;
  await writeFileAtomic(fs, path, `${made}\n`, FILE_MODE);
  return made;
}

/**
 * Takes the lock of worker `id` in `home`.
 *
 * @throws {ClinvkError} exit 5 when another process runs a worker with this id here.
 */
export async function lockWorker(
  fs: Fs,
  home: string,
  id: string,
  pid: number,
  startedAt: string,
): Promise<RunLease> {
  const dir = workerDir(home);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${id}.lock`);
  const lease = await tryLeaseFile(fs, path, id, {
    pid,
    started_at: startedAt,
    command: "clinvk worker",
  });
  if (lease) return lease;
  const holder = describeLeaseHolder(await fs.readTextFile(path).catch(() => undefined));
  throw new ClinvkError(
    `Worker ${id} is already running in this CLINVK_HOME: ${holder}`,
    ExitCode.Busy,
    "Stop it first, or start this one with another --id.",
  );
}

/** The journal of started jobs of worker `id`. */
export class WorkerJournal {
  readonly #fs: Fs;
  readonly #dir: string;

  /** The journal of worker `id` in `home`. */
  constructor(fs: Fs, home: string, id: string) {
    this.#fs = fs;
    this.#dir = join(workerDir(home), `${id}.jobs`);
  }

  /**
   * Records (or updates) a started job: written beside its place and renamed over it, so a
   * worker killed at any instant leaves the old entry or the new one. Not fsynced: the journal
   * is for a killed process, whose writes the system keeps; after a machine crash the backend's
   * own session is as likely to be gone.
   */
  async write(entry: JournalEntry): Promise<void> {
    const path = join(this.#dir, entry.key);
    const temp = join(this.#dir, `.${entry.key}.tmp`);
    const text = JSON.stringify(entry) + "\n";
    try {
      await this.#fs.writeTextFile(temp, text, { mode: FILE_MODE.mode });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.#fs.mkdir(this.#dir, { recursive: true, mode: FILE_MODE.dirMode });
      await this.#fs.writeTextFile(temp, text, { mode: FILE_MODE.mode });
    }
    await this.#fs.rename(temp, path);
  }

  /** Forgets a job whose result is on the server. */
  async remove(key: string): Promise<void> {
    await this.#fs.remove(join(this.#dir, key)).catch((error) => {
      if (!isNotFound(error)) throw error;
    });
  }

  /** Every job still in the journal; unreadable entries are skipped. */
  async entries(): Promise<JournalEntry[]> {
    const found: JournalEntry[] = [];
    try {
      for await (const item of this.#fs.readDir(this.#dir)) {
        if (!item.isFile || item.name.startsWith(".")) continue;
        try {
          const entry = JSON.parse(await this.#fs.readTextFile(join(this.#dir, item.name)));
          if (typeof entry?.key === "string" && typeof entry.job_id === "string") {
            found.push(entry as JournalEntry);
          }
        } catch {
          // Half-written by a crash before the rename (cannot happen) or edited: skip it.
        }
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return found;
  }
}
