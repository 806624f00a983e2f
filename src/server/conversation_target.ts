/**
 * Which conversation a request continues, and on which backend, model and directory it runs:
 * a session the client names (`X-Clinvk-Session`, `previous_response_id`, `conversation`,
 * `metadata.session_id`, or a REST path) is resumed through the backend's own resume; without
 * one, a request starts a new session tagged `api` (or an ephemeral run).
 * @module
 */
import type { SessionRecord } from "../sessions/record.ts";
import type { TurnTarget } from "../turns/engine.ts";
import { ApiError } from "./api_error.ts";
import {
  type BackendInfo,
  chooseModel,
  configuredBackends,
  type ModelChoice,
} from "./backend_catalog.ts";
import type { ServerDeps } from "./server_deps.ts";
import { errorFromThrown } from "./turn_errors.ts";
import { isAllowedWorkdir, requestWorkdir, workdirRefused } from "./workdir_policy.ts";

/** The tag every session started through the server carries. */
export const API_TAG = "api";

/** What a request says about its conversation. */
export interface ConversationRequest {
  /** A session to continue, and what named it (for error messages). */
  session?: { id: string; via: string };
  /** Run without recording a session (`X-Clinvk-Ephemeral: 1`). */
  ephemeral?: boolean;
  /** Wait for the named session when it is busy, instead of a 409. */
  wait?: boolean;
  /** Fork the named session instead of continuing it. */
  fork?: boolean;
  /**
   * The request's model name: with `backend`, an alias or model of it; without, a model id
   * (`claude`, `claude:fast`, a configured model).
   */
  model?: string;
  /** The backend, when the request names it apart from the model (REST API). */
  backend?: string;
  /** The workdir the request names, if any. */
  workdir?: string;
  /** More tags for a new or forked session. */
  tags?: string[];
  title?: string;
}

/** Where a request's turn runs. */
export interface Conversation {
  target: TurnTarget;
  backend: string;
  /** Model alias or name for this turn; absent = the session's or backend's default. */
  model?: string;
  /** The session continued or forked. */
  session?: SessionRecord;
  /** Whether the backend already holds the earlier messages (resume or fork). */
  continuing: boolean;
  /** Wait for a busy session instead of a 409. */
  wait: boolean;
}

/**
 * Resolves `request` to a turn target. Throws an `ApiError`: 404 for an unknown session or
 * model, 403 for a workdir outside the allowed roots, 400 for contradictions.
 */
export async function resolveConversation(
  deps: ServerDeps,
  request: ConversationRequest,
): Promise<Conversation> {
  const backends = configuredBackends(deps.config);
  const tags = [API_TAG, ...(request.tags ?? [])];
  if (!request.session) {
    if (request.fork) {
      throw new ApiError("invalid_request", "A fork needs the session to fork from");
    }
    const choice = pickModel(backends, deps.config.default_backend, request);
    const workdir = await requestWorkdir(deps.platform.fs, deps.workdirs, request.workdir);
    const target: TurnTarget = request.ephemeral
      ? { kind: "ephemeral", backend: choice.backend, workdir }
      : { kind: "new", backend: choice.backend, workdir, tags, title: request.title };
    return { target, backend: choice.backend, model: choice.model, continuing: false, wait: false };
  }
  const { id, via } = request.session;
  if (request.ephemeral) {
    throw new ApiError(
      "invalid_request",
      `X-Clinvk-Ephemeral cannot be combined with a session (${via} names ${id})`,
    );
  }
  const session = await findSession(deps, id, via);
  if (!isAllowedWorkdir(deps.workdirs, session.workdir)) {
    throw workdirRefused(
      `${session.workdir} (of session ${session.id})`,
      session.workdir,
      deps.workdirs,
    );
  }
  if (request.workdir) {
    const asked = await requestWorkdir(deps.platform.fs, deps.workdirs, request.workdir);
    if (asked !== session.workdir) {
      throw new ApiError(
        "invalid_request",
        `Session ${session.id} runs in ${session.workdir}; a request cannot move it to ${asked}`,
        { code: "workdir_conflict" },
      );
    }
  }
  const choice = pickModel(backends, session.backend, request);
  if (choice.backend !== session.backend) {
    throw new ApiError(
      "invalid_request",
      `Session ${session.id} runs on ${session.backend}, but the request selects ` +
        `${choice.backend}; use ${session.backend} or ${session.backend}:<model>`,
      { param: "model", code: "backend_mismatch" },
    );
  }
  const target: TurnTarget = request.fork
    ? { kind: "fork", sessionId: session.id, tags }
    : { kind: "resume", sessionId: session.id };
  return {
    target,
    backend: session.backend,
    model: choice.model,
    session,
    continuing: true,
    wait: request.wait ?? false,
  };
}

/** The backend and model a request selects; `fallback` is the backend when it names none. */
function pickModel(
  backends: BackendInfo[],
  fallback: string,
  request: ConversationRequest,
): ModelChoice {
  if (request.backend === undefined) return chooseModel(backends, fallback, request.model);
  if (!backends.some((b) => b.name === request.backend)) {
    throw new ApiError(
      "not_found",
      `Unknown backend "${request.backend}"; configured: ${backends.map((b) => b.name).join(", ")}`,
      { param: "backend", code: "backend_not_found" },
    );
  }
  const model = request.model?.trim();
  return model ? { backend: request.backend, model } : { backend: request.backend };
}

async function findSession(deps: ServerDeps, id: string, via: string): Promise<SessionRecord> {
  let session: SessionRecord | undefined;
  try {
    session = await deps.store.get(id);
  } catch (error) {
    throw errorFromThrown(error);
  }
  if (!session) {
    throw new ApiError("not_found", `Session ${id} (named by ${via}) does not exist`, {
      code: "session_not_found",
    });
  }
  return session;
}
