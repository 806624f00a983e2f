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
  exit_code?: number;
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
  [key: string]: unknown;
}

/** One session as stored on disk. */
export interface SessionRecord {
  id: string;
  backend: BackendName;
  backend_session_id: string | null;
  model: string | null;
  status: SessionStatus;
  /** RFC 3339 UTC with `Z`. */
  created_at: string;
  /** RFC 3339 UTC with `Z`. */
  last_used_at: string;
  /** Absolute, real path the backend runs in. */
  workdir: string;
  /** The first prompt, truncated when very long (then `prompt_truncated` is true). */
  prompt: string;
  prompt_truncated?: boolean;
  title?: string | null;
  token_usage: TokenUsage;
  tags: string[];
  parent_id?: string | null;
  turn_count: number;
  error?: string | null;
  metadata: TurnMetadata;
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
