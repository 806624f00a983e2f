/**
 * The contract of the session store (SPEC §6), implemented by `file_store.ts`. Commands depend
 * on this interface only.
 * @module
 */
import type { BackendName, TokenUsage } from "../backends/types.ts";
import type { SessionRecord, SessionStatus, TurnMetadata } from "./record.ts";
import type { BackendGroup } from "../runner/left_behind.ts";

/**
 * What a table of sessions shows of each (`sessions list`, `sessions clean`): a record has all
 * of it, and so does a catalog row's list item without the record being rebuilt from it.
 */
export type SessionOverview = Pick<
  SessionRecord,
  "id" | "backend" | "status" | "last_used_at" | "token_usage" | "title" | "prompt" | "parent_id"
>;

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
  /** Metadata to start with (a fork's parent id, the requested model). */
  metadata?: TurnMetadata;
}

/** A `*.json` file in `sessions/` that is not a valid session record. */
export interface BadFile {
  path: string;
  reason: string;
}

/** Proof that this process is the one writer of a session; release it when the turn ends. */
export interface SessionLease extends AsyncDisposable {
  readonly sessionId: string;
  /**
   * Records in the lease file that the turn's backend runs as `pid` (in a group of its own),
   * started with `CLINVK_TURN=<marker>`: should this process die mid-turn, the next one to
   * take the lease stops it. Best effort, and nothing where processes cannot be told apart;
   * `release` waits for it and removes the record.
   */
  recordBackend(pid: number, marker: string): void;
  release(): Promise<void>;
}

/** Who holds a session lease, as written into the lease file. */
export interface LeaseHolder {
  pid: number;
  started_at: string;
  command?: string;
  /** Where the turn's backend runs, while it may run. */
  backend?: BackendGroup;
}

/** Why a turn failed: the backend said so, the timeout stopped it, or it was interrupted. */
export const TURN_ERROR_CLASSES = ["backend", "timeout", "interrupted", "save"] as const;
/** One of {@linkcode TURN_ERROR_CLASSES}. */
export type TurnErrorClass = typeof TURN_ERROR_CLASSES[number];

/** One turn of a session's history (a line of `sessions/.turns/<id>.jsonl`). */
export interface TurnEntry {
  /** 1 for the session's first turn, then 2, 3, … (`turn_count` after the turn). */
  n: number;
  /** When the turn ended, RFC 3339 UTC. */
  at: string;
  /** The backend that ran it. */
  backend: string;
  /** The model that ran, when known. */
  model: string | null;
  /** The prompt of this turn. */
  prompt: string;
  /** The answer text (cut at {@linkcode MAX_ANSWER_CHARS} characters). */
  answer: string;
  /** This turn's tokens, normalised per backend: `input` includes `cached`. */
  usage: TokenUsage;
  /** USD at the prices of `price_source` when the turn ran; `null` when unknown. */
  cost_usd: number | null;
  /** The price table the cost comes from (`genai-prices 0.1.8`, `pricing.overrides`). */
  price_source: string | null;
  /** The turn's exit code (the backend's own, or 124 / 130). */
  exit_code: number;
  duration_seconds: number;
  /** `null` when the turn succeeded. */
  error_class: TurnErrorClass | null;
  /** The error message when it failed. */
  error: string | null;
  /** The run (parallel, chain, compare) this turn belongs to, when any. */
  run_id?: string | null;
}

/** Longest answer kept in a turn entry, in characters. */
export const MAX_ANSWER_CHARS = 100_000;

/** What `search` looks for. */
export interface SearchQuery {
  /** Words to find (each as a prefix; all must match). */
  text: string;
  backend?: BackendName;
  /** Every tag must be present. */
  tags?: string[];
  /** Only sessions whose workdir equals this real path. */
  workdir?: string;
  /** Only sessions used at or after this instant (ms since the epoch). */
  sinceMs?: number;
  /** At most this many hits (default 20). */
  limit?: number;
}

/** One session found by `search`. */
export interface SearchHit {
  record: SessionRecord;
  /** Text around the best match; matches are between `\u0001` and `\u0002`. */
  snippet: string;
  /** The turn that matched best, or `0` for the title, first prompt or tags. */
  turn: number;
  /** BM25 rank; lower is better. */
  score: number;
}

/** How `usage` groups turns. */
export type UsageGroup = "none" | "backend" | "model" | "tag" | "workdir" | "session" | "run";

/** What `usage` sums. */
export interface UsageQuery {
  /** Turns at or after this instant (ms). */
  sinceMs?: number;
  /** Turns before this instant (ms). */
  untilMs?: number;
  /** Only turns of this backend. */
  backend?: string;
  by: UsageGroup;
  /** Also split by time into buckets of this length (ms); without it, one bucket `0`. */
  bucketMs?: number;
}

/** The sums of one (time bucket, group key) of `usage`. */
export interface UsageCell {
  /** Start of the time bucket (ms), or `0` without buckets. */
  bucket: number;
  /** The group's key (backend, model, …); `null` when the turns have none. */
  key: string | null;
  turns: number;
  input: number;
  output: number;
  cached: number;
  total: number;
  /** Sum of the known costs, USD. */
  cost_usd: number;
  /** Turns with tokens whose cost is unknown (a model not in the price table). */
  unknown_cost_turns: number;
  /** The latest turn's time (ms). */
  last_ms: number;
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
   * `mutate` gets the current record from disk and returns the new one. It may be called more
   * than once — again with the file as it is under the lock, when the file changed after the
   * first call (the new file is written before the lock is taken) — so it should only compute
   * the new record; what it records outside it must let the last call win.
   */
  update(id: string, mutate: (current: SessionRecord) => SessionRecord): Promise<SessionRecord>;
  /** Deletes one session; throws exit 4 when it does not exist, exit 5 when it is in use. */
  delete(id: string): Promise<void>;
  /** Sessions matching `filter`, newest `last_used_at` first. Bad files are reported and skipped. */
  list(filter?: SessionFilter): Promise<SessionRecord[]>;
  /**
   * What `sessions list --json` prints for `filter` (its `limit` ignored): the JSON array of
   * list items (`list_item.ts`), 2-space indented with a final newline, as UTF-8 bytes in
   * pieces to write one after the other (74 MB at 100,000 sessions: never a string). Bad
   * files are reported and skipped, as by `list`.
   */
  listJson(filter?: SessionFilter): Promise<Uint8Array[]>;
  /**
   * Sessions whose `last_used_at` is before `cutoff` and not in use, newest first; deleted
   * unless `dryRun`. A dry run answers from the catalog with what a table shows of each.
   */
  clean(cutoff: Date, options: { dryRun: boolean }): Promise<SessionOverview[]>;
  /** Runs retention if it has not run within the last day (called when a session is created). */
  maybeApplyRetention(retentionDays: number): Promise<void>;
  /**
   * Lists bad `*.json` files; with `fix`, moves them to `sessions/.corrupt/`. Also warns about
   * each backend a killed clinvk left running, and with `fix` stops it.
   */
  doctor(options: { fix: boolean }): Promise<BadFile[]>;
  /**
   * Takes the one-writer lease of a session for the length of a turn. Fails fast with exit 5
   * naming the holder, unless `wait` is set (then waits up to the lock timeout).
   */
  acquireLease(id: string, options: { wait: boolean; command?: string }): Promise<SessionLease>;
  /**
   * Appends one turn to a session's history (its `.turns/<id>.jsonl` journal and the
   * catalog). Call right after the turn's final save, while holding the session's lease.
   */
  appendTurn(id: string, entry: TurnEntry): Promise<void>;
  /** The history of one session, oldest turn first; exit 4 when the session does not exist. */
  turns(id: string): Promise<TurnEntry[]>;
  /** Full-text search over titles, prompts, tags and answers; best hit first, one per session. */
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** Token and cost sums of the recorded turns, grouped as asked. */
  usage(query: UsageQuery): Promise<UsageCell[]>;
}
