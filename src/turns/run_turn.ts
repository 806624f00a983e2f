/**
 * Runs one planned turn the way every entry point does — CLI commands and the library alike:
 * ephemeral, or in a new, resumed or forked session.
 * @module
 */
import type { UnifiedEvent } from "../backends/types.ts";
import { codexConfiguredModel } from "../backends/codex/model.ts";
import type { Config } from "../config/schema.ts";
import type { Platform } from "../platform/types.ts";
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { createTurnSession } from "./new_session.ts";
import { checkTurnBudget } from "./turn_history.ts";
import type { TurnKind, TurnPlan } from "./plan_turn.ts";
import { runEphemeralTurn, runSessionTurn, type SessionTurnOutcome } from "./session_turn.ts";

/** What {@linkcode runTurn} needs. */
export interface RunTurnDeps {
  platform: Platform;
  config: Config;
  store: SessionStore;
  warn(message: string): void;
}

/** One turn to run. */
export interface RunTurnInput {
  kind: TurnKind;
  plan: TurnPlan;
  /** The session to resume, or the parent to fork. */
  session?: SessionRecord;
  /** Whether the user asked for a model (it is then passed again on resume). */
  modelRequested: boolean;
  /** See {@linkcode SessionTurnOptions.replan}. */
  replan?(current: SessionRecord): TurnPlan;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  wait: boolean;
  onEvent?(event: UnifiedEvent, sessionId: string | undefined): void;
  /** Tags added to a new or forked session, besides the default (or the parent's) tags. */
  extraTags?: string[];
  /** Title of a new session. */
  title?: string;
  /** Run even when a daily budget is used up (still warned). */
  force?: boolean;
}

/** Runs the turn and saves it (unless ephemeral). */
export async function runTurn(deps: RunTurnDeps, input: RunTurnInput): Promise<SessionTurnOutcome> {
  const { plan, session } = input;
  // Before anything is created: a turn over budget leaves nothing behind (exit 6).
  await checkTurnBudget(deps, plan.backend.name, input.force ?? false);
  // Codex never reports its model; when none was asked for, its own config says which runs.
  if (plan.backend.name === "codex" && !plan.request.model && !session?.model) {
    plan.modelHint = await codexConfiguredModel(deps.platform.fs, deps.platform.env);
  }
  const options = {
    plan,
    replan: input.replan,
    timeoutMs: input.timeoutMs,
    idleTimeoutMs: input.idleTimeoutMs,
    signal: input.signal,
    wait: input.wait,
    onEvent: input.onEvent,
  };
  if (input.kind === "ephemeral") return await runEphemeralTurn(deps, options);
  const record = input.kind === "resume" && session ? session : await createTurnSession({
    store: deps.store,
    config: deps.config,
    plan,
    modelRequested: input.modelRequested,
    parent: input.kind === "fork" ? session : undefined,
    extraTags: input.extraTags,
    title: input.title,
    warn: deps.warn,
  });
  return await runSessionTurn(deps, record, options);
}
