/**
 * Decides exactly what to run for a turn — executable, argv, directory, environment — from the
 * config, the session (if any) and what the user asked. Pure, so `--dry-run` prints the very
 * command a real run would start.
 * @module
 */
import { getBackend } from "../backends/registry.ts";
import type { Backend, BackendName, TurnRequest } from "../backends/types.ts";
import type { Config } from "../config/schema.ts";
import type { SessionRecord } from "../sessions/record.ts";

/** What kind of turn to plan. */
export type TurnKind = "new" | "resume" | "fork" | "ephemeral";

/** Inputs of {@linkcode planTurn}. */
export interface TurnPlanInput {
  kind: TurnKind;
  backend: BackendName;
  prompt: string;
  /** Model requested for this turn (alias or name), if any. */
  model?: string;
  /** Real path of the directory the backend runs in. */
  workdir: string;
  config: Config;
  /** The session to resume, or the parent to fork. */
  session?: SessionRecord;
  insideGitRepo: boolean;
  partial: boolean;
  /** Instructions for the backend's system prompt. */
  systemPrompt?: string;
}

/** A planned turn. */
export interface TurnPlan {
  backend: Backend;
  command: string;
  request: TurnRequest;
  cwd: string;
  env: Record<string, string>;
  /**
   * Set when the backend has no native fork (Gemini): clinvk copies this backend session
   * before running, and `request.resumeId` must be replaced by the copy's id.
   */
  copyForkOf?: string;
  /**
   * The model the backend will use by its own configuration when clinvk passes none and the
   * backend does not report it (Codex); recorded as the session's model.
   */
  modelHint?: string;
}

/** Placeholder shown by `--dry-run` where a forked Gemini session id will go. */
export const FORK_ID_PLACEHOLDER = "<new-fork-id>";

/** Plans one turn. */
export function planTurn(input: TurnPlanInput): TurnPlan {
  const backend = getBackend(input.backend);
  const settings = input.config.backends[input.backend];
  const model = backend.resolveModel(input.model ?? settings.model);
  const request: TurnRequest = {
    prompt: input.prompt,
    model,
    // `${UNSET}` in config expands to "", which means "not set".
    approvalMode: settings.approval_mode || undefined,
    sandboxMode: settings.sandbox_mode || undefined,
    extraArgs: settings.extra_args,
    insideGitRepo: input.insideGitRepo,
    partial: input.partial,
    systemPrompt: input.systemPrompt,
  };
  let copyForkOf: string | undefined;
  const session = input.session;
  if (input.kind === "ephemeral") request.ephemeral = true;
  if (input.kind === "resume" && session) {
    const pendingFork = session.metadata.fork_of;
    if (session.backend_session_id) {
      request.resumeId = session.backend_session_id;
    } else if (typeof pendingFork === "string") {
      // A fork made without a prompt: the backend fork happens now, on its first turn.
      ({ copyForkOf } = applyFork(backend, request, pendingFork));
    }
  }
  if (input.kind === "fork" && session?.backend_session_id) {
    ({ copyForkOf } = applyFork(backend, request, session.backend_session_id));
  }
  return {
    backend,
    command: settings.command || backend.defaultCommand,
    request,
    cwd: input.workdir,
    env: settings.env,
    copyForkOf,
  };
}

function applyFork(
  backend: Backend,
  request: TurnRequest,
  parentBackendId: string,
): { copyForkOf?: string } {
  if (backend.nativeFork) {
    request.resumeId = parentBackendId;
    request.fork = true;
    return {};
  }
  request.resumeId = FORK_ID_PLACEHOLDER;
  return { copyForkOf: parentBackendId };
}
