/**
 * What a finished turn reports (the `-o json` fields), built in one place for the CLI and the
 * library.
 * @module
 */
import type { TurnReport } from "../output/turn_output.ts";
import type { TurnPlan } from "./plan_turn.ts";
import type { SessionTurnOutcome } from "./session_turn.ts";

/** The report of a finished turn: the session's view where there is one, else the run's. */
export function turnReport(plan: TurnPlan, done: SessionTurnOutcome): TurnReport {
  const { outcome, record } = done;
  return {
    sessionId: record?.id,
    backend: plan.backend.name,
    backendSessionId: record?.backend_session_id ?? outcome.result.backendSessionId ?? null,
    model: record?.model ?? outcome.result.model ?? plan.request.model ?? plan.modelHint ?? null,
    status: record?.status ?? "ephemeral",
    content: outcome.result.content,
    exitCode: outcome.exitCode,
    durationSeconds: outcome.durationSeconds,
    usage: done.usage,
    error: outcome.error,
  };
}
