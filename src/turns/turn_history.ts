/**
 * The two points where a turn meets the catalog's history: before it starts, the daily
 * budgets (`usage/budget.ts`); after its final save, one history entry — prompt, answer,
 * this turn's tokens, and its cost at today's prices — appended to the session.
 * @module
 */
import type { TokenUsage } from "../backends/types.ts";
import type { Config } from "../config/schema.ts";
import type { Platform } from "../platform/types.ts";
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionStore, TurnEntry, TurnErrorClass } from "../sessions/store_types.ts";
import { formatTimestamp } from "../sessions/time.ts";
import { checkBudget, hasBudget } from "../usage/budget.ts";
import { priceTurn, warmPriceTable } from "../usage/pricing.ts";
import type { BackendOutcome } from "./backend_run.ts";
import type { TurnPlan } from "./plan.ts";

/** What both steps need. */
export interface HistoryDeps {
  platform: Platform;
  config: Config;
  store: SessionStore;
  warn(message: string): void;
}

/** The time zone of "today" for budgets: `TZ`, else the system's. */
export function localTimeZone(platform: Platform): string {
  return platform.env.get("TZ") || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Refuses (exit 6) a turn of `backend` over a daily budget unless `force`; warns past 80 %. */
export async function checkTurnBudget(
  deps: HistoryDeps,
  backend: string,
  force: boolean,
): Promise<void> {
  // Asking ICU for the system's time zone costs about 20 ms: only when a limit needs "today".
  if (!hasBudget(deps.config.session.budget)) return;
  await checkBudget({
    store: deps.store,
    budget: deps.config.session.budget,
    backend,
    now: deps.platform.clock.now(),
    timeZone: localTimeZone(deps.platform),
    force,
    warn: deps.warn,
  });
}

/**
 * Starts loading what {@linkcode recordTurn} needs to price the turn; call once the backend
 * has started, so that the load overlaps its work instead of delaying clinvk's exit.
 */
export function prepareRecordTurn(): void {
  warmPriceTable();
}

function errorClass(outcome: BackendOutcome): TurnErrorClass | null {
  if (outcome.ok) return null;
  if (outcome.stopped?.kind === "abort") return "interrupted";
  if (outcome.stopped) return "timeout";
  return "backend";
}

/** The history entry of a finished turn, priced now. */
export async function turnEntry(
  deps: HistoryDeps,
  record: SessionRecord,
  plan: TurnPlan,
  outcome: BackendOutcome,
  usage: TokenUsage,
): Promise<TurnEntry> {
  const now = deps.platform.clock.now();
  const model = outcome.result.model ?? record.model ?? null;
  const cost = await priceTurn(
    record.backend,
    model,
    usage,
    deps.config.pricing.overrides,
    now,
  );
  return {
    n: record.turn_count,
    at: formatTimestamp(now),
    backend: record.backend,
    model,
    prompt: plan.request.prompt,
    answer: outcome.result.content,
    usage,
    ...cost,
    exit_code: outcome.exitCode,
    duration_seconds: outcome.durationSeconds,
    error_class: errorClass(outcome),
    error: outcome.ok ? null : outcome.error ?? null,
  };
}

/**
 * Appends the turn to the session's history. Call right after the final save, with the
 * session's lease held. A history that cannot be written costs the user nothing else: the
 * turn and its session are saved, so this only warns.
 */
export async function recordTurn(
  deps: HistoryDeps,
  record: SessionRecord,
  plan: TurnPlan,
  outcome: BackendOutcome,
  usage: TokenUsage,
): Promise<void> {
  try {
    await deps.store.appendTurn(record.id, await turnEntry(deps, record, plan, outcome, usage));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    deps.warn(`Session ${record.id} was saved, but its turn history was not: ${why}`);
  }
}
