/**
 * Deciding exactly what to run for a turn — executable, argv, directory, environment — once,
 * from the session record as it is when the turn holds it, so `--dry-run` prints the very command
 * a real run starts.
 * @module
 */
import type { Backend, BackendContext, TurnRequest } from "../backends/types.ts";
import type { Config } from "../config/schema.ts";
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import type { SessionRecord } from "../sessions/record.ts";

/** Placeholder shown by `--dry-run` where a copied fork's new backend id will go. */
export const FORK_ID_PLACEHOLDER = "<new-fork-id>";

/** What a turn runs. */
export interface TurnPlan {
  backend: Backend;
  /** Executable name or path (`backends.<name>.command` or the backend's default). */
  command: string;
  /** argv after the executable. */
  args: string[];
  cwd: string;
  /** Extra environment for the backend (`backends.<name>.env`, then the caller's). */
  env: Record<string, string>;
  request: TurnRequest;
  /**
   * For a backend that forks by copying (`fork: "copy"`): the backend session to copy before
   * the turn; `request.resumeId` is then replaced by the copy's id.
   */
  copyForkOf?: string;
}

/** Inputs of {@linkcode planTurn}. */
export interface PlanInput {
  backend: Backend;
  config: Config;
  context: BackendContext;
  /** Nothing is to be kept: no record, and the backend asked (or made) to keep nothing. */
  ephemeral: boolean;
  /** The session's record, as the turn holds it (none for an ephemeral turn or a dry run of a new one). */
  record?: SessionRecord;
  /** For a fork planned from its parent (dry run): the parent's backend session. */
  forkOf?: string;
  prompt: string;
  /** Model alias or name asked for this turn (else the session's requested model, if any). */
  model?: string;
  systemPrompt?: string;
  partial: boolean;
  /** Environment the caller adds. */
  env?: Record<string, string>;
}

/**
 * Plans one turn. For a session with a backend id the turn resumes it; for one made by a fork
 * (`metadata.fork_of`) it forks the parent's backend session now — natively, or by copying.
 *
 * @throws {ClinvkError} exit 2 for a setting the backend refuses (a bad approval mode) or a
 * kind of turn it cannot do.
 */
export async function planTurn(input: PlanInput): Promise<TurnPlan> {
  const { backend, record } = input;
  const settings = input.config.backends[backend.name] ?? { extra_args: [], env: {} };
  const request: TurnRequest = {
    prompt: input.prompt,
    // The caller chose the fallback: a new session's configured model, a session's own.
    model: backend.resolveModel(input.model ?? record?.metadata.requested_model),
    // `${UNSET}` in config expands to "", which means "not set".
    approvalMode: settings.approval_mode || undefined,
    sandboxMode: settings.sandbox_mode || undefined,
    extraArgs: settings.extra_args,
    partial: input.partial,
    systemPrompt: input.systemPrompt,
  };
  let copyForkOf: string | undefined;
  const pendingFork = input.forkOf ??
    (typeof record?.metadata.fork_of === "string" && !record.backend_session_id
      ? record.metadata.fork_of
      : undefined);
  if (input.ephemeral) {
    request.ephemeral = true;
  } else if (pendingFork !== undefined) {
    copyForkOf = fork(backend, request, pendingFork);
  } else if (record?.backend_session_id) {
    if (!backend.canResume) {
      throw new ClinvkError(
        `Session ${record.id} cannot be resumed: ${backend.label} has no way to continue a session`,
        ExitCode.SessionNotFound,
        `Set backends.${backend.name}.args.resume in config.yaml, or start a new session.`,
      );
    }
    request.resumeId = record.backend_session_id;
  } else if (backend.choosesSessionId) {
    request.newSessionId = crypto.randomUUID();
  }
  return {
    backend,
    command: settings.command || backend.defaultCommand,
    args: await backend.turnArgs(request, input.context),
    cwd: input.context.workdir,
    env: { ...settings.env, ...input.env },
    request,
    ...(copyForkOf !== undefined ? { copyForkOf } : {}),
  };
}

/** Sets `request` up to fork `parentId`; returns the id to copy when the backend copies. */
function fork(backend: Backend, request: TurnRequest, parentId: string): string | undefined {
  if (backend.fork === "none") throw cannotFork(backend);
  if (backend.fork === "native") {
    request.resumeId = parentId;
    request.fork = true;
    return undefined;
  }
  request.resumeId = FORK_ID_PLACEHOLDER;
  return parentId;
}

/** The refusal of a fork on a backend that cannot fork (exit 2). */
export function cannotFork(backend: Backend): ClinvkError {
  return usageError(
    `${backend.label} cannot fork a session`,
    `Set backends.${backend.name}.args.fork in config.yaml, or resume the session instead.`,
  );
}

/** The plan once a copied fork has its own backend session id. */
export async function withForkCopy(
  plan: TurnPlan,
  newId: string,
  context: BackendContext,
): Promise<TurnPlan> {
  const request = { ...plan.request, resumeId: newId };
  return {
    ...plan,
    request,
    args: await plan.backend.turnArgs(request, context),
    copyForkOf: undefined,
  };
}
