/**
 * Creates the record a new or forked session's first turn runs on — the one path shared by
 * the CLI and the library.
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { SessionRecord, TurnMetadata } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import type { TurnPlan } from "./plan_turn.ts";

/** Options of {@linkcode createTurnSession}. */
export interface NewTurnSession {
  store: SessionStore;
  config: Config;
  plan: TurnPlan;
  /** Whether the user asked for a model (it is then passed again on resume). */
  modelRequested: boolean;
  /** For forks: the session forked from. */
  parent?: SessionRecord;
  /** Tags added besides the default (or the parent's) tags. */
  extraTags?: string[];
  /** Title of the new session. */
  title?: string;
  warn(message: string): void;
}

/** `session.default_tags` (already `${VAR}`-expanded at load), without blanks or repeats. */
export function defaultTags(config: Config): string[] {
  return [...new Set(config.session.default_tags.map((tag) => tag.trim()).filter(Boolean))];
}

/**
 * Applies retention (new sessions only; at most once a day), creates the record, and stores
 * what later turns need: the requested model and, for forks, the parent's cumulative usage.
 */
export async function createTurnSession(options: NewTurnSession): Promise<SessionRecord> {
  const { store, config, plan, parent } = options;
  const skipped = parent ? undefined : await applyRetention(store, config.session.retention_days);
  const record = await store.create({
    backend: plan.backend.name,
    model: plan.request.model ?? plan.modelHint ?? null,
    workdir: plan.cwd,
    prompt: plan.request.prompt,
    tags: [
      ...new Set([...(parent ? parent.tags : defaultTags(config)), ...options.extraTags ?? []]),
    ],
    parent_id: parent?.id ?? null,
    title: options.title ?? null,
  });
  // Said only once the record exists: when the store is unusable (its lock is a directory, the
  // disk is full) create fails for the same reason, and its error is the one line to print.
  if (skipped) options.warn(`retention cleanup skipped: ${skipped}`);
  const metadata: TurnMetadata = {};
  if (options.modelRequested && plan.request.model) metadata.requested_model = plan.request.model;
  // A fork's backend reports its parent's thread usage too (Codex); start from the parent's.
  if (parent?.metadata.backend_cumulative_usage) {
    metadata.backend_cumulative_usage = parent.metadata.backend_cumulative_usage;
  }
  if (Object.keys(metadata).length === 0) return record;
  return await store.update(record.id, (r) => ({ ...r, metadata: { ...r.metadata, ...metadata } }));
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
