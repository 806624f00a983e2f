/**
 * The steps every turn-running route shares, whatever its protocol: resolve the conversation,
 * build the prompt, start the turn with the client's disconnect wired to it, and decide whether
 * a failure can still be an HTTP error or must go into the stream.
 * @module
 */
import type { Context } from "hono";
import { checkPrompt } from "../cli/prompt_input.ts";
import type { TurnReport } from "../turns/engine.ts";
import type { ApiError } from "./api_error.ts";
import { type ChatMessage, turnPrompt } from "./conversation.ts";
import {
  type Conversation,
  type ConversationRequest,
  resolveConversation,
} from "./conversation_target.ts";
import { SESSION_HEADER } from "./request_headers.ts";
import type { ServerDeps } from "./server_deps.ts";
import type { ServerEnv } from "./server_env.ts";
import { type ServerTurn, startServerTurn } from "./server_turn.ts";
import { errorFromReport, errorFromThrown } from "./turn_errors.ts";

/** A started turn, and how to stop it when the client goes away mid-stream. */
export interface RequestTurn {
  turn: ServerTurn;
  conversation: Conversation;
  /** Stops the backend (the response stream was cancelled). */
  cancel(): void;
}

/** Starts the turn of a request whose conversation is `messages`. */
export async function beginTurn(
  c: Context<ServerEnv>,
  deps: ServerDeps,
  request: ConversationRequest,
  messages: readonly ChatMessage[],
  stream: boolean,
): Promise<RequestTurn> {
  const conversation = await resolveConversation(deps, request);
  const { prompt, systemPrompt } = turnPrompt(messages, conversation.continuing);
  return await beginPromptTurn(c, deps, conversation, { prompt, systemPrompt }, stream);
}

/** Starts the turn of `conversation` with a prompt built by the caller. */
export async function beginPromptTurn(
  c: Context<ServerEnv>,
  deps: ServerDeps,
  conversation: Conversation,
  input: { prompt: string; systemPrompt?: string },
  stream: boolean,
): Promise<RequestTurn> {
  let prompt: string;
  try {
    prompt = checkPrompt(input.prompt);
  } catch (error) {
    throw errorFromThrown(error);
  }
  c.set("backend", conversation.backend);
  if (conversation.session && conversation.target.kind === "resume") {
    c.set("session", conversation.session.id);
    c.header(SESSION_HEADER, conversation.session.id);
  }
  const abort = new AbortController();
  const clientGone = () => abort.abort(new Error("the client disconnected"));
  c.req.raw.signal.addEventListener("abort", clientGone, { once: true });
  const turn = await startServerTurn(deps, {
    target: conversation.target,
    backend: conversation.backend,
    prompt,
    systemPrompt: input.systemPrompt,
    model: conversation.model,
    wait: conversation.wait,
    stream,
    key: c.get("key"),
  }, abort.signal);
  turn.done.finally(() => c.req.raw.signal.removeEventListener("abort", clientGone)).catch(
    () => {},
  );
  return { turn, conversation, cancel: clientGone };
}

/** Sets `X-Clinvk-Session` (and the log's session) once the turn's session is known. */
export function markSession(c: Context<ServerEnv>, turn: ServerTurn): void {
  if (!turn.sessionId) return;
  c.set("session", turn.sessionId);
  c.header(SESSION_HEADER, turn.sessionId);
}

/** The report of a finished turn; throws its `ApiError` when it failed. */
export async function finishedReport(c: Context<ServerEnv>, turn: ServerTurn): Promise<TurnReport> {
  let report: TurnReport;
  try {
    report = await turn.done;
  } finally {
    markSession(c, turn);
  }
  if (report.exitCode !== 0) throw errorFromReport(report);
  return report;
}

/**
 * Waits until a stream can start: the backend's first output, or the end of a turn that
 * produced none — then a failure is still an HTTP error, thrown here.
 */
export async function awaitStreamStart(c: Context<ServerEnv>, turn: ServerTurn): Promise<void> {
  await turn.started;
  markSession(c, turn);
  if (!turn.producedOutput) await finishedReport(c, turn);
}

/** How a streamed turn ended: its report, or the error to end the stream with. */
export async function streamOutcome(
  turn: ServerTurn,
): Promise<{ report: TurnReport; error?: undefined } | { report?: TurnReport; error: ApiError }> {
  try {
    const report = await turn.done;
    return report.exitCode === 0 ? { report } : { report, error: errorFromReport(report) };
  } catch (error) {
    return { error: errorFromThrown(error) };
  }
}
