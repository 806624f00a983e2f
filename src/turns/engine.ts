/**
 * The turn engine's public contract: {@linkcode runTurn} runs one prompt on one backend —
 * ephemeral, in a new session, or resuming or forking a session — and returns one
 * {@linkcode TurnReport}. The CLI, the library, runs, the HTTP server and workers all call this
 * and nothing below it.
 *
 * This first version is a facade over the existing pipeline (`plan_turn.ts`, `run_turn.ts`,
 * `session_turn.ts`); the engine rework (issue 8) replaces what is behind it, not its shape.
 * @module
 */
import type { ErrorClass, TokenUsage, UnifiedEvent } from "../backends/types.ts";
import { getBackend } from "../backends/registry.ts";
import type { Config } from "../config/schema.ts";
import { ClinvkError, ExitCode } from "../errors.ts";
import type { Platform } from "../platform/types.ts";
import { isResumable, type SessionRecord, type SessionStatus } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { turnArgv } from "./execute_turn.ts";
import { planTurn, type TurnKind } from "./plan_turn.ts";
import { runTurn as runPlannedTurn } from "./run_turn.ts";
import { turnReport } from "./turn_report.ts";
import { checkSessionWorkdir, isInsideGitRepo } from "./workdir.ts";

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

export type { ErrorClass };

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
   * The turn ran but its record could not be saved (lock timeout, full disk): callers show the
   * answer first, then report this.
   */
  saveError?: unknown;
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
 * const report = await runTurn(deps, { kind: "new", backend: "claude", workdir: "/src/app" }, {
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
  const { platform } = deps;
  const session = "sessionId" in target ? await sessionFor(deps.store, target) : undefined;
  const backendName = session?.backend ?? (target as { backend: string }).backend;
  const workdir = session?.workdir ?? (target as { workdir: string }).workdir;
  if (session && !options.dryRun) await checkSessionWorkdir(platform.fs, workdir, session.id);
  const kind: TurnKind = target.kind;
  const model = options.model ?? session?.metadata.requested_model;
  const backend = getBackend(backendName);
  const plan = planTurn({
    kind,
    backend: backend.name,
    prompt: options.prompt,
    systemPrompt: options.systemPrompt,
    model,
    workdir,
    config: deps.config,
    session,
    insideGitRepo: await isInsideGitRepo(platform.fs, workdir),
    partial: options.partial ?? false,
  });
  plan.env = { ...plan.env, ...options.env };
  const argv = turnArgv(plan);
  if (options.dryRun) {
    return {
      sessionId: session && kind === "resume" ? session.id : undefined,
      backend: backend.name,
      backendSessionId: session?.backend_session_id ?? null,
      model: plan.request.model ?? null,
      status: "dry-run",
      content: "",
      exitCode: 0,
      durationSeconds: 0,
      usage: { input: 0, output: 0, cached: 0, total: 0 },
      argv,
      cwd: plan.cwd,
    };
  }
  const extraTags = target.kind === "new" || target.kind === "fork" ? target.tags ?? [] : [];
  const title = target.kind === "new" ? target.title : undefined;
  const done = await runPlannedTurn(
    deps,
    {
      kind,
      plan,
      session,
      modelRequested: model !== undefined,
      timeoutMs: options.timeoutMs || undefined,
      idleTimeoutMs: options.idleTimeoutMs || undefined,
      signal: options.signal,
      wait: options.wait ?? false,
      force: options.force ?? false,
      onEvent: options.onEvent,
      extraTags,
      title,
    },
  );
  const report = turnReport(plan, done);
  return {
    ...report,
    errorClass: done.outcome.errorClass,
    argv,
    cwd: plan.cwd,
    saveError: done.saveError,
  };
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
  const usable = target.kind === "fork" ? Boolean(session.backend_session_id) : true;
  if (!isResumable(session) || !usable) {
    throw new ClinvkError(
      `Session ${session.id} cannot be ${target.kind === "fork" ? "forked" : "resumed"}: ${
        session.status === "expired" ? "it has expired" : "the backend never reported its id"
      }`,
      ExitCode.SessionNotFound,
      'Start a new session with clinvk "your prompt".',
    );
  }
  return session;
}
