/**
 * The session record: one JSON object per `sessions/<id>.json` file (SPEC §3). Field names
 * follow the user's guide so its jq pipelines work.
 * @module
 */
import type { BackendName, TokenUsage } from "../backends/types.ts";

/** Current on-disk schema version; older files are migrated when read. */
export const SCHEMA_VERSION = 1;

/** Lifecycle states (SPEC §4). */
export const SESSION_STATUSES = ["created", "active", "completed", "error", "expired"] as const;
/** A lifecycle state. */
export type SessionStatus = typeof SESSION_STATUSES[number];

/** Metadata of the last turn. */
export interface TurnMetadata {
  /** Exit code of the last turn (the backend's own, or 124/130). */
  exit_code?: number;
  /** How long the last turn took. */
  duration_seconds?: number;
  /**
   * Codex reports usage summed over the whole thread; the last cumulative figure is kept here
   * so the next turn adds only the difference.
   */
  backend_cumulative_usage?: TokenUsage;
  /**
   * A fork created without a prompt: the parent's backend session id. The backend fork happens
   * on the fork's first turn (the backends fork only while running a prompt).
   */
  fork_of?: string;
  /** The model the user asked for (alias resolved); passed again on resume. */
  requested_model?: string;
  /** Room for more details; later versions may add fields. */
  [key: string]: unknown;
}

/** One session as stored on disk. */
export interface SessionRecord {
  /** clinvk's id: lowercase letters and digits. */
  id: string;
  /** The backend CLI that holds the conversation. */
  backend: BackendName;
  /** The backend's own session id; `null` until it reports one. Needed to resume. */
  backend_session_id: string | null;
  /** The model that ran (alias resolved); `null` when unknown. */
  model: string | null;
  /** Lifecycle state. */
  status: SessionStatus;
  /** RFC 3339 UTC with `Z`. */
  created_at: string;
  /** RFC 3339 UTC with `Z`. */
  last_used_at: string;
  /** Absolute, real path the backend runs in. */
  workdir: string;
  /** The first prompt, truncated when very long (then `prompt_truncated` is true). */
  prompt: string;
  /** True when `prompt` was cut. */
  prompt_truncated?: boolean;
  /** Optional human title, shown instead of the prompt. */
  title?: string | null;
  /** Tokens summed over all turns (when `session.store_token_usage`). */
  token_usage: TokenUsage;
  /** Tags, including `session.default_tags` added at creation. */
  tags: string[];
  /** For forks: the session forked from. */
  parent_id?: string | null;
  /** Number of prompts run in this session. */
  turn_count: number;
  /** The last turn's error; cleared by a later success. */
  error?: string | null;
  /** Details of the last turn. */
  metadata: TurnMetadata;
  /** On-disk format version, so later versions can migrate old files. */
  schema_version: number;
}

/**
 * A session is resumable when the backend gave its id (or it is a fork waiting for its first
 * turn) and retention has not expired it.
 */
export function isResumable(record: SessionRecord): boolean {
  const hasBackendContext = Boolean(record.backend_session_id) ||
    typeof record.metadata?.fork_of === "string";
  return hasBackendContext && record.status !== "expired";
}
