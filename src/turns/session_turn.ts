/**
 * Runs a turn inside a session: creates or loads the record, holds the session's one-writer
 * lease for the length of the turn, moves it through its lifecycle (created → active →
 * completed | error) and sums its token usage. The store lock is taken only around metadata
 * writes, never while the backend runs.
 * @module
 */
import type { TokenUsage, UnifiedEvent } from "../backends/types.ts";
import { forkGeminiChat } from "../backends/gemini/fork.ts";
import type { Config } from "../config/schema.ts";
import { ClinvkError, ExitCode } from "../errors.ts";
import type { Platform } from "../platform/types.ts";
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { formatTimestamp } from "../sessions/time.ts";
import { runProcess } from "../runner/run_process.ts";
import { executeTurn, type TurnOutcome } from "./execute_turn.ts";
import type { TurnPlan } from "./plan_turn.ts";
import { addUsage, emptyUsage } from "../backends/shared/usage.ts";
import { turnUsage } from "./token_accounting.ts";
import { recordTurn } from "./turn_history.ts";

/** What a session turn needs from the app. */
export interface SessionTurnDeps {
  platform: Platform;
  store: SessionStore;
  config: Config;
  warn(message: string): void;
}

/** Options common to every session turn. */
export interface SessionTurnOptions {
  plan: TurnPlan;
  /**
   * Plans again from the record as it is once this process holds the session: another
   * process may have run a turn meanwhile (with `--wait`), e.g. the first turn of a pending fork.
   */
  replan?(current: SessionRecord): TurnPlan;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Wait for a session that another process is using instead of failing (exit 5). */
  wait: boolean;
  /** Receives each unified event with the clinvk session id. */
  onEvent?(event: UnifiedEvent, sessionId: string | undefined): void;
}

/** A finished session turn. */
export interface SessionTurnOutcome {
  outcome: TurnOutcome;
  /** This turn's usage alone. */
  usage: TokenUsage;
  /** The record after the turn; absent for ephemeral runs. */
  record?: SessionRecord;
  /**
   * Why the outcome could not be saved (lock timeout, full disk): the turn itself ran, so the
   * caller shows its answer first, then reports this.
   */
  saveError?: unknown;
}

/** Runs `plan` on `record` (a new, resumed or forked session) and saves the outcome. */
export async function runSessionTurn(
  deps: SessionTurnDeps,
  record: SessionRecord,
  options: SessionTurnOptions,
): Promise<SessionTurnOutcome> {
  const { store } = deps;
  const lease = await store.acquireLease(record.id, {
    wait: options.wait,
    command: `clinvk (${record.backend})`,
  });
  try {
    const fresh = await store.get(record.id) ?? record;
    const changed = fresh.backend_session_id !== record.backend_session_id ||
      fresh.metadata.fork_of !== record.metadata.fork_of;
    const planned = changed && options.replan ? options.replan(fresh) : options.plan;
    let current = fresh;
    let plan = planned;
    let early: Promise<void> = Promise.resolve();
    let outcome: TurnOutcome;
    try {
      plan = await prepareFork(deps, fresh, planned);
      // Resuming a completed or failed session makes it active again while the turn runs.
      if (fresh.backend_session_id) {
        current = await store.update(record.id, (r) => ({ ...r, status: "active" }));
      }
      let reportedId: string | undefined;
      outcome = await executeTurn(deps.platform, {
        ...plan,
        timeoutMs: options.timeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        signal: options.signal,
        onEvent(event) {
          if (event.type === "init" && event.backend_session_id && !reportedId) {
            const id = reportedId = event.backend_session_id;
            // The backend's id makes the session resumable; save it at once, so a crash or
            // Ctrl-C mid-turn still leaves a resumable session. Best effort: the final save
            // below writes it too, and reports any failure.
            early = early.then(async () => {
              current = await store.update(record.id, (r) => activate(r, id, event.model));
            }).catch(() => {});
          }
          options.onEvent?.(event, record.id);
        },
      });
    } catch (error) {
      await early;
      await recordStartFailure(deps, current, error, () => lease.release());
      throw error;
    }
    await early;
    let usage = emptyUsage();
    try {
      current = await store.update(record.id, (r) => {
        const counted = turnUsage(outcome.result, r.metadata);
        usage = counted.usage;
        return finished(r, plan, outcome, counted, deps);
      });
    } catch (saveError) {
      usage = turnUsage(outcome.result, current.metadata).usage;
      return { outcome, usage, record: current, saveError };
    }
    // History, search and usage read this; the lease is still held (issue 12).
    await recordTurn(deps, current, plan, outcome, usage);
    return { outcome, usage, record: current };
  } finally {
    await lease.release();
  }
}

/** The record after a turn ended. */
function finished(
  r: SessionRecord,
  plan: TurnPlan,
  outcome: TurnOutcome,
  counted: ReturnType<typeof turnUsage>,
  deps: SessionTurnDeps,
): SessionRecord {
  const backendId = outcome.result.backendSessionId ?? r.backend_session_id ?? null;
  const next: SessionRecord = {
    ...r,
    backend_session_id: backendId,
    model: outcome.result.model ?? r.model ?? plan.request.model ?? plan.modelHint ?? null,
    status: outcome.ok ? "completed" : "error",
    last_used_at: formatTimestamp(deps.platform.clock.now()),
    turn_count: r.turn_count + 1,
    token_usage: deps.config.session.store_token_usage
      ? addUsage(r.token_usage, counted.usage)
      : r.token_usage,
    error: outcome.ok ? null : outcome.error ?? "turn failed",
    prompt: r.prompt || plan.request.prompt,
    metadata: {
      ...r.metadata,
      ...counted.metadata,
      exit_code: outcome.exitCode,
      duration_seconds: outcome.durationSeconds,
    },
  };
  // A pending fork is done once the backend gave the fork its own id.
  if (backendId && backendId !== r.metadata.fork_of) delete next.metadata.fork_of;
  return next;
}

/**
 * The backend could not even start (not installed, not allowed, a fork copy refused). A session
 * created for this very turn is removed — nothing happened in it; an existing one is saved as
 * `error` with the reason, so it does not stay `active`.
 */
async function recordStartFailure(
  deps: SessionTurnDeps,
  record: SessionRecord,
  error: unknown,
  releaseLease: () => Promise<void>,
): Promise<void> {
  const fresh = record.turn_count === 0 && !record.backend_session_id && !record.metadata.fork_of;
  try {
    if (fresh) {
      // Deleting takes the session's lease, which this process still holds.
      await releaseLease();
      await deps.store.delete(record.id);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      await deps.store.update(record.id, (r) => ({ ...r, status: "error", error: message }));
    }
  } catch {
    // The original error is the one to report; this was only tidying up.
  }
}

function activate(record: SessionRecord, backendId: string, model?: string): SessionRecord {
  const next: SessionRecord = {
    ...record,
    backend_session_id: backendId,
    status: "active",
    model: record.model ?? (model && model !== "auto" ? model : null),
  };
  return next;
}

/**
 * For backends without a native fork (Gemini) copies the parent's backend session under a new
 * id before the turn, and records that id at once.
 */
async function prepareFork(
  deps: SessionTurnDeps,
  record: SessionRecord,
  plan: TurnPlan,
): Promise<TurnPlan> {
  if (!plan.copyForkOf) return plan;
  const env = deps.platform.env;
  const geminiHome = env.get("GEMINI_CLI_HOME") ?? env.get("HOME") ?? env.get("USERPROFILE");
  if (!geminiHome) {
    throw new ClinvkError(
      "Cannot fork the Gemini session: neither GEMINI_CLI_HOME nor HOME is set",
      ExitCode.Usage,
    );
  }
  const newId = crypto.randomUUID();
  await forkGeminiChat({
    fs: deps.platform.fs,
    geminiHome,
    workdir: plan.cwd,
    parentId: plan.copyForkOf,
    newId,
    now: deps.platform.clock.now(),
  });
  await deps.store.update(record.id, (r) => activate(r, newId));
  return { ...plan, request: { ...plan.request, resumeId: newId }, copyForkOf: undefined };
}

/** Runs an `--ephemeral` turn: no record, and the backend is asked (or made) to keep nothing. */
export async function runEphemeralTurn(
  deps: Omit<SessionTurnDeps, "store">,
  options: Omit<SessionTurnOptions, "wait">,
): Promise<SessionTurnOutcome> {
  const { plan } = options;
  const outcome = await executeTurn(deps.platform, {
    ...plan,
    timeoutMs: options.timeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    signal: options.signal,
    onEvent: (event) => options.onEvent?.(event, undefined),
  });
  const backendId = outcome.result.backendSessionId;
  const deleteArgs = backendId ? plan.backend.deleteSessionArgs?.(backendId) : undefined;
  if (!plan.backend.nativeEphemeral && deleteArgs) {
    // The backend kept the conversation; remove it so --ephemeral leaves nothing behind.
    const cleanup = await executeDelete(deps, plan, deleteArgs);
    if (cleanup) deps.warn(cleanup);
  }
  return { outcome, usage: outcome.result.usage ?? emptyUsage() };
}

async function executeDelete(
  deps: Omit<SessionTurnDeps, "store">,
  plan: TurnPlan,
  args: string[],
): Promise<string | undefined> {
  try {
    const result = await runProcess(deps.platform, {
      command: plan.command,
      args,
      cwd: plan.cwd,
      env: plan.env,
      timeoutMs: 30_000,
      onStdoutLine() {},
    });
    if (result.exitCode === 0) return undefined;
    return `Could not delete the ephemeral ${plan.backend.name} session: ${
      plan.backend.errorFromStderr(result.stderr) ?? `exit code ${result.exitCode}`
    }`;
  } catch (error) {
    return `Could not delete the ephemeral ${plan.backend.name} session: ${
      error instanceof Error ? error.message : String(error)
    }`;
  }
}
