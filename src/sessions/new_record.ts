/**
 * The record `create` writes: status `created`, both timestamps now, zero usage, no turns yet.
 * @module
 */
import { SCHEMA_VERSION } from "./record.ts";
import type { SessionRecord } from "./record.ts";
import type { NewSession } from "./store_types.ts";
import { formatTimestamp } from "./time.ts";

/** Longest first prompt kept in a record, in characters; longer ones are cut and flagged. */
export const MAX_PROMPT_CHARS = 500;

/** Cuts `prompt` to {@linkcode MAX_PROMPT_CHARS} characters (never inside a surrogate pair). */
export function truncatePrompt(prompt: string): { prompt: string; truncated: boolean } {
  const chars = Array.from(prompt);
  if (chars.length <= MAX_PROMPT_CHARS) return { prompt, truncated: false };
  return { prompt: chars.slice(0, MAX_PROMPT_CHARS).join(""), truncated: true };
}

/** Builds a new session record with id `id` created at `now`. */
export function newRecord(init: NewSession, id: string, now: Date): SessionRecord {
  const at = formatTimestamp(now);
  const { prompt, truncated } = truncatePrompt(init.prompt);
  return {
    id,
    backend: init.backend,
    backend_session_id: init.backend_session_id ?? null,
    model: init.model,
    status: "created",
    created_at: at,
    last_used_at: at,
    workdir: init.workdir,
    prompt,
    ...(truncated ? { prompt_truncated: true } : {}),
    title: init.title ?? null,
    token_usage: { input: 0, output: 0, cached: 0, total: 0 },
    tags: [...new Set(init.tags)],
    parent_id: init.parent_id ?? null,
    turn_count: 0,
    error: null,
    metadata: { ...init.metadata },
    schema_version: SCHEMA_VERSION,
  };
}
