/**
 * The contract of the session store (SPEC §6), implemented by `file_store.ts`. Commands depend
 * on this interface only.
 * @module
 */
import type { BackendName } from "../backends/types.ts";
import type { SessionRecord, SessionStatus } from "./record.ts";

/** Filters of `sessions list`, `resume --last`, `-c` and the picker. All given filters must match. */
export interface SessionFilter {
  /** Only this backend. */
  backend?: BackendName;
  /** Only this lifecycle state. */
  status?: SessionStatus;
  /** Every tag must be present (AND). */
  tags?: string[];
  /** Only sessions whose workdir equals this real path (`resume --here`). */
  workdir?: string;
  /** Only sessions that can be resumed. */
  resumable?: boolean;
  /** At most this many, newest `last_used_at` first. */
  limit?: number;
}

/** What a caller supplies to create a session; the store fills id, timestamps and defaults. */
export interface NewSession {
  backend: BackendName;
  model: string | null;
  workdir: string;
  prompt: string;
  tags: string[];
  parent_id?: string | null;
  backend_session_id?: string | null;
  title?: string | null;
}

/** A `*.json` file in `sessions/` that is not a valid session record. */
export interface BadFile {
  path: string;
  reason: string;
}

/** Proof that this process is the one writer of a session; release it when the turn ends. */
export interface SessionLease extends AsyncDisposable {
  readonly sessionId: string;
  release(): Promise<void>;
}

/** Who holds a session lease, as written into the lease file. */
export interface LeaseHolder {
  pid: number;
  started_at: string;
  command?: string;
}

/** The session store. Every method is safe to call from many processes at once. */
export interface SessionStore {
  /** Absolute path of the `sessions/` directory. */
  readonly dir: string;
  /** Creates and writes a new session (status `created`) with a fresh unique id. */
  create(init: NewSession): Promise<SessionRecord>;
  /** Reads one session by exact id; `undefined` when there is none. */
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * Finds one session by id or unique prefix. Throws a `ClinvkError` with exit 4 when none or
   * several match (the message lists the candidates), or exit 2 for an id with `/`, `..` etc.
   */
  resolve(idOrPrefix: string): Promise<SessionRecord>;
  /**
   * Read-modify-write under the store's exclusive lock, so concurrent updates are never lost.
   * `mutate` gets the current record from disk and returns the new one.
   */
  update(id: string, mutate: (current: SessionRecord) => SessionRecord): Promise<SessionRecord>;
  /** Deletes one session; throws exit 4 when it does not exist, exit 5 when it is in use. */
  delete(id: string): Promise<void>;
  /** Sessions matching `filter`, newest `last_used_at` first. Bad files are reported and skipped. */
  list(filter?: SessionFilter): Promise<SessionRecord[]>;
  /** Sessions whose `last_used_at` is before `cutoff` and not in use; deleted unless `dryRun`. */
  clean(cutoff: Date, options: { dryRun: boolean }): Promise<SessionRecord[]>;
  /** Runs retention if it has not run within the last day (called when a session is created). */
  maybeApplyRetention(retentionDays: number): Promise<void>;
  /** Lists bad `*.json` files; with `fix`, moves them to `sessions/.corrupt/`. */
  doctor(options: { fix: boolean }): Promise<BadFile[]>;
  /**
   * Takes the one-writer lease of a session for the length of a turn. Fails fast with exit 5
   * naming the holder, unless `wait` is set (then waits up to the lock timeout).
   */
  acquireLease(id: string, options: { wait: boolean; command?: string }): Promise<SessionLease>;
}
