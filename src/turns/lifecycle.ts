/**
 * How a turn moves its session through the lifecycle (SPEC §4): the record a new or forked
 * session starts with, `active` once the backend reported its id, `completed` or `error` when
 * the turn ends — with its token usage added once (Codex reports usage summed over the whole
 * thread, and a fork inherits its parent's).
 * @module
 */
import type { TokenUsage, TurnResult } from "../backends/types.ts";
import { addUsage, emptyUsage, usageForTurn } from "../backends/shared/usage.ts";
import type { Config } from "../config/schema.ts";
import type { SessionRecord, TurnMetadata } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { formatTimestamp } from "../sessions/time.ts";
import type { BackendOutcome } from "./backend_run.ts";

/** `session.default_tags` (already `${VAR}`-expanded at load), without blanks or repeats. */
export function defaultTags(config: Config): string[] {
  return [...new Set(config.session.default_tags.map((tag) => tag.trim()).filter(Boolean))];
}

/** What a new session's record starts with. */
export interface NewSessionInput {
  backend: string;
  /** The model asked for (alias resolved), if any: recorded, and passed again on resume. */
  model?: string;
  workdir: string;
  prompt: string;
  tags?: string[];
  title?: string;
  /** For a fork: the session forked from. */
  parent?: SessionRecord;
}

/**
 * Creates the record of a new session or a fork: applies retention first (new sessions only,
 * at most once a day; a failure only warns), then writes the record with what later turns need
 * — the requested model, and for a fork the parent's backend session (`metadata.fork_of`, forked
 * on the fork's first turn) and cumulative usage.
 */
export async function createSessionRecord(
  store: SessionStore,
  config: Config,
  input: NewSessionInput,
  warn: (message: string) => void,
): Promise<SessionRecord> {
  const { parent } = input;
  const skipped = parent ? undefined : await applyRetention(store, config.session.retention_days);
  const metadata: TurnMetadata = {};
  const requested = input.model ?? parent?.metadata.requested_model;
  if (requested) metadata.requested_model = requested;
  if (parent?.backend_session_id) metadata.fork_of = parent.backend_session_id;
  if (parent?.metadata.backend_cumulative_usage) {
    metadata.backend_cumulative_usage = parent.metadata.backend_cumulative_usage;
  }
  const record = await store.create({
    backend: input.backend,
    model: input.model ?? parent?.model ?? null,
    workdir: input.workdir,
    prompt: input.prompt,
    tags: [...new Set([...(parent ? parent.tags : defaultTags(config)), ...input.tags ?? []])],
    parent_id: parent?.id ?? null,
    title: input.title ?? null,
    metadata,
  });
  // Said only once the record exists: when the store is unusable (its lock is a directory, the
  // disk is full) create fails for the same reason, and its error is the one line to print.
  if (skipped) warn(`retention cleanup skipped: ${skipped}`);
  return record;
}

/** Runs retention; returns why it failed, if it did. */
async function applyRetention(store: SessionStore, days: number): Promise<string | undefined> {
  try {
    await store.maybeApplyRetention(days);
    return undefined;
  } catch (error) {
    // A denied Deno permission stops the prompt right after anyway; let it say so once.
    if (error instanceof Error && error.name === "NotCapable") throw error;
    // Retention is housekeeping: it must never stop the user's prompt.
    return error instanceof Error ? error.message : String(error);
  }
}

/** The record once the backend reported its session id: resumable, `active`. */
export function activate(record: SessionRecord, backendId: string, model?: string): SessionRecord {
  return {
    ...record,
    backend_session_id: backendId,
    status: "active",
    model: record.model ?? (model && model !== "auto" ? model : null),
  };
}

/**
 * A pending fork (`clinvk sessions fork <id>` without a prompt) forks its parent's backend
 * session on its first turn, as the parent is then — not as it was when the fork was made. For a
 * backend whose usage counter is cumulative over the thread (Codex), the figure to subtract is
 * therefore the parent's latest: with the one copied at fork time, every turn the parent ran in
 * between would be counted again in the fork. Returns the record, updated when that changed.
 */
export async function refreshPendingFork(
  store: SessionStore,
  record: SessionRecord,
): Promise<SessionRecord> {
  const forkOf = record.metadata.fork_of;
  if (typeof forkOf !== "string" || record.backend_session_id || !record.parent_id) return record;
  const parent = await store.get(record.parent_id).catch(() => undefined);
  const latest = parent?.backend_session_id === forkOf
    ? parent.metadata.backend_cumulative_usage
    : undefined;
  const known = record.metadata.backend_cumulative_usage;
  if (!latest || JSON.stringify(latest) === JSON.stringify(known)) return record;
  return await store.update(record.id, (r) => ({
    ...r,
    metadata: { ...r.metadata, backend_cumulative_usage: latest },
  }));
}

/**
 * This turn's usage alone, and the metadata to keep for the next one: for a cumulative report
 * the previous cumulative figure (`metadata.backend_cumulative_usage`, inherited by forks) is
 * subtracted.
 */
export function turnUsage(
  result: TurnResult,
  metadata: TurnMetadata,
): { usage: TokenUsage; metadata: TurnMetadata } {
  if (!result.usage) return { usage: emptyUsage(), metadata };
  const usage = usageForTurn(
    result.usage,
    result.usageIsCumulative,
    metadata.backend_cumulative_usage,
  );
  if (!result.usageIsCumulative) return { usage, metadata };
  return { usage, metadata: { ...metadata, backend_cumulative_usage: result.usage } };
}

/** What the end of a turn changes. */
export interface TurnEnd {
  outcome: BackendOutcome;
  /** The model asked for, or the one the backend runs by its own config (Codex). */
  model?: string;
  /**
   * True when the backend kept nothing of the session this turn started (a Gemini first turn
   * that failed): its id is then not recorded, since resuming it cannot work.
   */
  unsaved: boolean;
  prompt: string;
  now: Date;
  storeTokenUsage: boolean;
}

/** The record after a turn ended, and the turn's usage alone. */
export function finished(
  r: SessionRecord,
  end: TurnEnd,
): { record: SessionRecord; usage: TokenUsage } {
  const { outcome } = end;
  const counted = turnUsage(outcome.result, r.metadata);
  const reported = outcome.result.backendSessionId ?? r.backend_session_id ?? null;
  const record: SessionRecord = {
    ...r,
    backend_session_id: end.unsaved ? null : reported,
    model: outcome.result.model ?? r.model ?? end.model ?? null,
    status: outcome.ok ? "completed" : "error",
    last_used_at: formatTimestamp(end.now),
    turn_count: r.turn_count + 1,
    token_usage: end.storeTokenUsage ? addUsage(r.token_usage, counted.usage) : r.token_usage,
    error: outcome.ok ? null : outcome.error ?? "turn failed",
    prompt: r.prompt || end.prompt,
    metadata: {
      ...r.metadata,
      ...counted.metadata,
      exit_code: outcome.exitCode,
      duration_seconds: outcome.durationSeconds,
    },
  };
  // A pending fork is done once the backend gave the fork its own id.
  if (record.backend_session_id && record.backend_session_id !== r.metadata.fork_of) {
    delete record.metadata.fork_of;
  }
  return { record, usage: counted.usage };
}
