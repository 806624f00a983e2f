/**
 * The turn engine: {@linkcode runTurn} runs one prompt on one backend — ephemeral, in a new
 * session, or resuming or forking a session — and returns one {@linkcode TurnReport}. The CLI,
 * the library, runs, the HTTP server and workers all call this and nothing below it; nothing
 * else plans a turn.
 *
 * A session turn, in this order: create (or find) the record, take the session's one-writer
 * lease and reload the record, plan from that fresh record once (`plan.ts`), run the backend and
 * stream its unified events (`backend_run.ts`), let the plug-in tidy up, save the outcome
 * (`lifecycle.ts`), release the lease, report.
 * @module
 */
import { backendFor } from "../backends/registry.ts";
import type { Backend, ErrorClass, TokenUsage, UnifiedEvent } from "../backends/types.ts";
import { emptyUsage } from "../backends/shared/usage.ts";
import type { Config } from "../config/schema.ts";
import { ClinvkError, diskErrorHint, ExitCode } from "../errors.ts";
import { errorMessage } from "../platform/fs_errors.ts";
import type { Platform } from "../platform/types.ts";
import { isResumable, type SessionRecord, type SessionStatus } from "../sessions/record.ts";
import type { SessionLease, SessionStore } from "../sessions/store_types.ts";
import { TURN_MARKER_VAR } from "../runner/left_behind.ts";
import {
  backendNotFound,
  type BackendOutcome,
  runBackend,
  type RunOptions,
} from "./backend_run.ts";
import { backendContext } from "./context.ts";
import { activate, createSessionRecord, finished, refreshPendingFork } from "./lifecycle.ts";
import { cannotFork, planTurn, type TurnPlan, withForkCopy } from "./plan.ts";
import { checkTurnBudget, prepareRecordTurn, recordTurn } from "./turn_history.ts";
import { checkSessionWorkdir } from "./workdir.ts";

export type { ErrorClass };

/** What the engine needs from its caller. */
export interface TurnDeps {
  platform: Platform;
  config: Config;
  store: SessionStore;
  /** Receives warnings (a bad session file skipped, a cleanup that failed), each once. */
  warn(message: string): void;
}

/** Which conversation a turn belongs to. */
export type TurnTarget =
  /** No session is recorded; the backend is asked (or made) to keep nothing either. */
  | { kind: "ephemeral"; backend: string; workdir: string }
  /** A new session. `workdir` is an absolute real path; `tags` are added to the default tags. */
  | { kind: "new"; backend: string; workdir: string; tags?: string[]; title?: string }
  /** Continues the session with this exact clinvk id, in its recorded directory. */
  | { kind: "resume"; sessionId: string }
  /** A new session that carries the backend context of the session with this exact id. */
  | { kind: "fork"; sessionId: string; tags?: string[] };

/** How to run the turn. */
export interface TurnOptions {
  /** The prompt, already checked (non-empty, within the size limit). */
  prompt: string;
  /** Model alias or name. Default: the session's requested model, else config. */
  model?: string;
  /**
   * Instructions for the backend's system prompt: Claude's `--append-system-prompt` (added to
   * Claude Code's own), a clearly marked preamble of the prompt for backends without such a flag
   * (Codex, Gemini). Given per turn: a resumed turn without it runs without.
   */
  systemPrompt?: string;
  /** Stop the backend after this long (exit 124, error class `timeout`). */
  timeoutMs?: number;
  /** Stop the backend when it prints nothing for this long (exit 124, error class `timeout`). */
  idleTimeoutMs?: number;
  /** Wait for a session another process is using instead of failing with exit 5. */
  wait?: boolean;
  /** Run even when a daily budget (`session.budget.*`) is used up; else that is exit 6. */
  force?: boolean;
  /**
   * Aborting stops the backend: its process group gets SIGINT (or, when the abort reason is a
   * `StopRequest`, that request's signal), then SIGKILL after a grace period; the turn ends with
   * exit 130 (128 + n for a `StopRequest` of signal n), error class `interrupted`, and the
   * session saved as `error`. The engine does not listen to process signals itself: a command
   * passes `abortOnSignals(platform).signal` (src/platform/stop_signals.ts) so that Ctrl-C,
   * SIGTERM and SIGHUP stop the backend and the turn is saved before the process exits.
   */
  signal?: AbortSignal;
  /** Extra environment for the backend process (e.g. `CLINVK_RUN_DEPTH`). */
  env?: Record<string, string>;
  /** Ask the backend for partial text deltas (worth it only when someone streams them). */
  partial?: boolean;
  /** Plan only: the report carries `argv` and `cwd`; nothing runs and nothing is written. */
  dryRun?: boolean;
  /** Receives each unified event as it is parsed, with the clinvk session id (if any). */
  onEvent?(event: UnifiedEvent, sessionId: string | undefined): void;
}

/** How a turn ended: the fields of `clinvk -o json`, and what callers need besides. */
export interface TurnReport {
  /** clinvk's session id; absent for ephemeral turns. */
  sessionId?: string;
  backend: string;
  backendSessionId: string | null;
  model: string | null;
  /** The session's status after the turn, or `"ephemeral"` (or `"dry-run"`). */
  status: SessionStatus | "ephemeral" | "dry-run";
  /** The answer text. */
  content: string;
  /**
   * 0 on success; the backend's own code on failure; 124 timeout (also idle); 130 interrupted
   * (128 + n when stopped by signal n).
   */
  exitCode: number;
  durationSeconds: number;
  /** This turn's token usage alone. */
  usage: TokenUsage;
  /** One-line reason when the turn failed. */
  error?: string;
  /** Set when the turn failed. */
  errorClass?: ErrorClass;
  /** The backend command line (executable first), as run or, with `dryRun`, as it would run. */
  argv: string[];
  /** Directory the backend ran in. */
  cwd: string;
  /**
   * The turn ran but its record could not be saved (lock timeout, full disk): a `ClinvkError`
   * naming the session and what was not saved. Callers show the answer first, then report this.
   */
  saveError?: unknown;
  /** Whether the session can be continued now (false for ephemeral turns and dry runs). */
  resumable: boolean;
}

/**
 * Runs one turn and saves it (unless ephemeral or a dry run).
 *
 * @throws {ClinvkError} before the backend starts: exit 2 for a bad backend name or setting, 3
 * when the backend CLI is not installed, 4 when the session does not exist or cannot be
 * resumed, 5 when it is in use (without `wait`) or the store stays locked. A backend that ran
 * and failed is a report with `exitCode` ≠ 0, not an exception.
 *
 * @example
 * ```ts ignore
 * const report = await runTurn(deps, { kind: "new", backend, workdir: "/src/app" }, {
 *   prompt: "Add a test for parseConfig",
 *   onEvent: (event) => event.type === "message" && console.log(event.text),
 * });
 * if (report.exitCode !== 0) console.error(report.error);
 * ```
 */
export async function runTurn(
  deps: TurnDeps,
  target: TurnTarget,
  options: TurnOptions,
): Promise<TurnReport> {
  const { platform, config } = deps;
  const session = "sessionId" in target ? await sessionFor(deps.store, target) : undefined;
  const backend = backendFor(config, session?.backend ?? (target as { backend: string }).backend);
  const workdir = session?.workdir ?? (target as { workdir: string }).workdir;
  const turn: Turn = {
    deps,
    options,
    backend,
    context: backendContext(platform, config, backend.name, workdir),
  };
  if (options.dryRun) return await dryRun(turn, target, session);
  if (session) await checkSessionWorkdir(platform.fs, workdir, session.id);
  // Before anything is created: a turn over a daily budget leaves nothing behind (exit 6).
  await checkTurnBudget(deps, backend.name, options.force ?? false);
  if (target.kind === "ephemeral") return await ephemeralTurn(turn);
  const record = target.kind === "resume" ? session! : await createSessionRecord(
    deps.store,
    config,
    {
      backend: backend.name,
      // A new session falls back to the configured model; a fork keeps its parent's.
      model: backend.resolveModel(
        options.model ?? (target.kind === "new" ? config.backends[backend.name]?.model : undefined),
      ),
      workdir,
      prompt: options.prompt,
      tags: target.tags,
      title: target.kind === "new" ? target.title : undefined,
      parent: target.kind === "fork" ? session : undefined,
    },
    deps.warn,
  );
  return await sessionTurn(turn, record, target.kind !== "resume");
}

/**
 * Creates a fork of session `sessionId` without running a turn (`clinvk sessions fork <id>`,
 * `POST /api/v1/sessions/{id}/fork` without a prompt): the backends fork only while running a
 * prompt, so the backend fork happens on the fork's first turn (`resume`); until then the new
 * session points at the parent's backend session. `model` (an alias or name) is the fork's
 * requested model; default: the parent's.
 *
 * @throws {ClinvkError} exit 4 when the session does not exist, has expired or has no backend
 * session yet; 2 when its backend cannot fork.
 */
export async function forkSession(
  deps: TurnDeps,
  target: { sessionId: string; tags?: string[]; model?: string },
): Promise<SessionRecord> {
  const parent = await forkableSession(deps, target.sessionId);
  const backend = backendFor(deps.config, parent.backend);
  return await createSessionRecord(deps.store, deps.config, {
    backend: parent.backend,
    model: target.model === undefined ? undefined : backend.resolveModel(target.model),
    workdir: parent.workdir,
    prompt: "",
    tags: target.tags,
    parent,
  }, deps.warn);
}

/**
 * The session with this exact id, when it can be forked now (what {@linkcode forkSession}
 * checks first; `sessions fork --dry-run` asks it alone).
 *
 * @throws {ClinvkError} as {@linkcode forkSession}.
 */
export async function forkableSession(
  deps: Pick<TurnDeps, "config" | "store">,
  sessionId: string,
): Promise<SessionRecord> {
  const parent = await sessionFor(deps.store, { kind: "fork", sessionId });
  const backend = backendFor(deps.config, parent.backend);
  if (backend.fork === "none") throw cannotFork(backend);
  return parent;
}

/** The command that reopens a session in its backend's own interactive mode. */
export interface InteractiveCommand {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * How to reopen `session` interactively (`clinvk resume` on a terminal without a prompt).
 *
 * @throws {ClinvkError} exit 4 when the session has no backend session yet, 2 when its backend
 * has no interactive mode clinvk knows.
 */
export function interactiveCommand(config: Config, session: SessionRecord): InteractiveCommand {
  const backend = backendFor(config, session.backend);
  if (!session.backend_session_id) {
    throw new ClinvkError(
      `Session ${session.id} has not run its first turn yet, so there is nothing to open`,
      ExitCode.SessionNotFound,
      `Give it a prompt: clinvk resume ${session.id} "your prompt".`,
    );
  }
  if (!backend.interactiveArgs) {
    throw new ClinvkError(
      `${backend.label} has no interactive mode clinvk can open`,
      ExitCode.Usage,
      `Continue it with a prompt: clinvk resume ${session.id} "your prompt".`,
    );
  }
  const settings = config.backends[backend.name];
  return {
    command: settings?.command || backend.defaultCommand,
    args: backend.interactiveArgs(session.backend_session_id),
    cwd: session.workdir,
    env: settings?.env ?? {},
  };
}

/** The exit-3 error for a backend whose CLI is not installed. */
export function notInstalled(config: Config, backendName: string): ClinvkError {
  const backend = backendFor(config, backendName);
  return backendNotFound({
    backend,
    command: config.backends[backend.name]?.command || backend.defaultCommand,
  });
}

/** One turn in progress. */
interface Turn {
  deps: TurnDeps;
  options: TurnOptions;
  backend: Backend;
  context: ReturnType<typeof backendContext>;
}

async function sessionFor(
  store: SessionStore,
  target: { kind: "resume" | "fork"; sessionId: string },
): Promise<SessionRecord> {
  const session = await store.get(target.sessionId);
  if (!session) {
    throw new ClinvkError(
      `Session ${target.sessionId} does not exist`,
      ExitCode.SessionNotFound,
      "See clinvk sessions list.",
    );
  }
  if (target.kind === "fork" && session.status !== "expired" && !session.backend_session_id) {
    throw new ClinvkError(
      `Session ${session.id} cannot be forked: it has no backend session to copy yet`,
      ExitCode.SessionNotFound,
      `Run a turn in it first (clinvk resume ${session.id} "prompt"), or fork another session.`,
    );
  }
  if (!isResumable(session)) {
    throw new ClinvkError(
      `Session ${session.id} cannot be ${target.kind === "fork" ? "forked" : "resumed"}: ${
        session.status === "expired"
          ? "it has expired"
          : "the backend never reported its id (its first turn did not get that far)"
      }`,
      ExitCode.SessionNotFound,
      'Start a new session with clinvk "your prompt".',
    );
  }
  return session;
}

function plan(turn: Turn, record: SessionRecord | undefined, extra: {
  ephemeral?: boolean;
  forkOf?: string;
} = {}): Promise<TurnPlan> {
  const { options, backend } = turn;
  const fresh = record === undefined || (record.turn_count === 0 && !record.backend_session_id);
  return planTurn({
    backend,
    config: turn.deps.config,
    context: turn.context,
    ephemeral: extra.ephemeral ?? false,
    record,
    forkOf: extra.forkOf,
    prompt: options.prompt,
    // A new session falls back to the configured model; a session keeps the one it asked for.
    model: options.model ??
      (fresh && !record?.metadata.requested_model
        ? turn.deps.config.backends[backend.name]?.model
        : undefined),
    systemPrompt: options.systemPrompt,
    partial: options.partial ?? false,
    env: options.env,
  });
}

async function dryRun(
  turn: Turn,
  target: TurnTarget,
  session: SessionRecord | undefined,
): Promise<TurnReport> {
  const planned = await plan(turn, target.kind === "resume" ? session : undefined, {
    ephemeral: target.kind === "ephemeral",
    forkOf: target.kind === "fork" ? session?.backend_session_id ?? undefined : undefined,
  });
  return {
    sessionId: target.kind === "resume" ? session?.id : undefined,
    backend: turn.backend.name,
    backendSessionId: target.kind === "resume" ? session?.backend_session_id ?? null : null,
    model: planned.request.model ?? null,
    status: "dry-run",
    content: "",
    exitCode: 0,
    durationSeconds: 0,
    usage: emptyUsage(),
    argv: [planned.command, ...planned.args],
    cwd: planned.cwd,
    resumable: false,
  };
}

/** An `--ephemeral` turn: no record, and the backend is asked (or made) to keep nothing. */
async function ephemeralTurn(turn: Turn): Promise<TurnReport> {
  const { deps, backend } = turn;
  const planned = await plan(turn, undefined, { ephemeral: true });
  const outcome = await run(turn, planned, undefined);
  const backendId = outcome.result.backendSessionId;
  if (backend.ephemeral === "forget" && backendId && backend.forget) {
    // The backend kept the conversation; remove it so --ephemeral leaves nothing behind.
    const warning = await backend.forget(turn.context, backendId).catch((error) =>
      `Could not remove ${backend.label}'s copy of the ephemeral session: ${errorMessage(error)}`
    );
    if (warning) deps.warn(warning);
  }
  return {
    backend: backend.name,
    backendSessionId: backendId ?? null,
    model: outcome.result.model ?? planned.request.model ?? await defaultModel(turn) ?? null,
    status: "ephemeral",
    ...outcomeFields(outcome),
    usage: outcome.result.usage ?? emptyUsage(),
    argv: [planned.command, ...planned.args],
    cwd: planned.cwd,
    resumable: false,
  };
}

/**
 * A turn in a session: holds its lease from before the record is reloaded until the outcome is
 * saved. `createdHere` says the record was made for this very turn (removed again when the
 * backend cannot even start).
 */
async function sessionTurn(
  turn: Turn,
  created: SessionRecord,
  createdHere: boolean,
): Promise<TurnReport> {
  const { deps, backend } = turn;
  const { store } = deps;
  const id = created.id;
  const lease = await store.acquireLease(id, {
    wait: turn.options.wait ?? false,
    command: `clinvk (${backend.name})`,
  });
  let current = created;
  try {
    // Another process may have run a turn meanwhile (with --wait): plan from the record as it is.
    current = await refreshPendingFork(store, await store.get(id) ?? created);
    const started = current;
    let planned: TurnPlan;
    let outcome: BackendOutcome;
    let early: Promise<void> = Promise.resolve();
    try {
      planned = await plan(turn, current);
      if (planned.copyForkOf !== undefined) {
        const copyId = await backend.copyFork!(turn.context, planned.copyForkOf);
        current = await store.update(id, (r) => activate(r, copyId));
        planned = await withForkCopy(planned, copyId, turn.context);
      } else if (current.backend_session_id) {
        // Resuming a completed or failed session makes it active again while the turn runs.
        current = await store.update(id, (r) => ({ ...r, status: "active" }));
      }
      let reported = false;
      const running = run(turn, planned, (event) => {
        if (
          event.type !== "init" || reported ||
          event.backend_session_id === current.backend_session_id
        ) {
          return;
        }
        reported = true;
        const backendId = event.backend_session_id;
        // The backend's id makes the session resumable: saved at once, so a crash or a signal
        // mid-turn still leaves a resumable session. Best effort: the final save writes it too.
        early = early.then(async () => {
          current = await store.update(id, (r) => activate(r, backendId, event.model));
        }).catch(() => {});
      }, { id, lease });
      // The backend process has started (spawning is synchronous): price table meanwhile.
      prepareRecordTurn();
      outcome = await running;
    } catch (error) {
      await early;
      await startFailed(deps, current, error, createdHere, () => lease.release());
      throw error;
    }
    await early;
    const backendId = outcome.result.backendSessionId ?? current.backend_session_id;
    let unsaved = false;
    if (backendId && backend.afterTurn) {
      const after = await backend.afterTurn(turn.context, backendId).catch((error) => ({
        saved: true,
        warning: `Could not tidy up ${backend.label}'s files: ${errorMessage(error)}`,
      }));
      if (after.warning) deps.warn(after.warning);
      unsaved = !after.saved && !started.backend_session_id;
    }
    const model = planned.request.model ??
      (current.model ? undefined : await defaultModel(turn));
    let usage: TokenUsage = emptyUsage();
    let saveError: ClinvkError | undefined;
    try {
      current = await store.update(id, (r) => {
        const next = finished(r, {
          outcome,
          model,
          unsaved,
          prompt: turn.options.prompt,
          now: deps.platform.clock.now(),
          storeTokenUsage: deps.config.session.store_token_usage,
        });
        usage = next.usage;
        return next.record;
      });
    } catch (error) {
      saveError = notSaved(id, error);
      usage = finished(current, {
        outcome,
        model,
        unsaved,
        prompt: turn.options.prompt,
        now: deps.platform.clock.now(),
        storeTokenUsage: false,
      }).usage;
    }
    // History, search and usage read this; the lease is still held (issue 12).
    if (!saveError) await recordTurn(deps, current, planned, outcome, usage);
    return {
      sessionId: id,
      backend: backend.name,
      backendSessionId: saveError ? backendId ?? null : current.backend_session_id,
      model: saveError ? outcome.result.model ?? current.model ?? model ?? null : current.model,
      status: current.status,
      ...outcomeFields(outcome),
      usage,
      argv: [planned.command, ...planned.args],
      cwd: planned.cwd,
      ...(saveError ? { saveError } : {}),
      resumable: !saveError && isResumable(current),
    };
  } finally {
    await lease.release();
  }
}

/** Runs the backend, forwarding its events (with the session id) and `init` to `onInit`. */
function run(
  turn: Turn,
  planned: TurnPlan,
  onInit: ((event: UnifiedEvent & { type: "init" }) => void) | undefined,
  session?: { id: string; lease: SessionLease },
): Promise<BackendOutcome> {
  const { options } = turn;
  return runBackend(turn.deps.platform, planned, {
    timeoutMs: options.timeoutMs || undefined,
    idleTimeoutMs: options.idleTimeoutMs || undefined,
    signal: options.signal,
    ...(session ? watchedByLease(session.lease) : {}),
    onEvent(event) {
      if (event.type === "init") onInit?.(event);
      options.onEvent?.(event, session?.id);
    },
  });
}

/**
 * Has the backend recorded in the session's lease: should this process be killed mid-turn, the
 * next one to take the lease stops it (`left_behind.ts`). An ephemeral turn has no lease, and
 * leaves nothing behind to record it in.
 */
function watchedByLease(lease: SessionLease): Pick<RunOptions, "env" | "onSpawn"> {
  const marker = crypto.randomUUID();
  return {
    env: { [TURN_MARKER_VAR]: marker },
    onSpawn: (pid) => lease.recordBackend(pid, marker),
  };
}

function outcomeFields(outcome: BackendOutcome) {
  return {
    content: outcome.result.content,
    exitCode: outcome.exitCode,
    durationSeconds: outcome.durationSeconds,
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.errorClass !== undefined ? { errorClass: outcome.errorClass } : {}),
  };
}

/** The model the backend runs by its own configuration, where the plug-in can tell. */
async function defaultModel(turn: Turn): Promise<string | undefined> {
  return await turn.backend.defaultModel?.(turn.context).catch(() => undefined);
}

/**
 * The backend could not even start (not installed, not allowed, a fork copy refused). A
 * session created for this very turn is removed — nothing happened in it; an existing one is
 * saved as `error` with the reason, so it does not stay `active`.
 */
async function startFailed(
  deps: TurnDeps,
  record: SessionRecord,
  error: unknown,
  createdHere: boolean,
  releaseLease: () => Promise<void>,
): Promise<void> {
  try {
    if (createdHere && record.turn_count === 0) {
      // Deleting takes the session's lease, which this process still holds.
      await releaseLease();
      await deps.store.delete(record.id);
    } else {
      const message = errorMessage(error);
      await deps.store.update(record.id, (r) => ({ ...r, status: "error", error: message }));
    }
  } catch {
    // The original error is the one to report; this was only tidying up.
  }
}

/** The error for a turn that ran but could not be saved, naming what was lost. */
function notSaved(sessionId: string, error: unknown): ClinvkError {
  const code = error instanceof ClinvkError ? error.exitCode : ExitCode.BackendFailed;
  const hint = error instanceof ClinvkError ? error.hint : diskErrorHint(error);
  return new ClinvkError(
    `The answer above was not saved to session ${sessionId}: its turn count, token usage and ` +
      `status could not be written (${errorMessage(error).replace(/\.$/, "")}); the session ` +
      "file itself is intact",
    code,
    hint,
  );
}
