/**
 * `POST /api/v1/prompt` and `POST /api/v1/sessions/{id}/fork`: run a prompt as `clinvk` does,
 * answering with the `-o json` object or, with `stream: true`, the `-o stream-json` lines
 * (NDJSON of unified events ending in `done`). A failed turn answers with its error's status
 * and the turn's result beside the error object. A fork without a prompt only makes the fork,
 * as `clinvk sessions fork <id>` does (201 and its record).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { BackendName } from "../../backends/types.ts";
import { streamDoneLine, streamEventLine, turnJson } from "../../output/turn_output.ts";
import type { TurnReport as OutputReport } from "../../output/turn_output.ts";
import type { SessionRecord } from "../../sessions/record.ts";
import { forkSession, type TurnReport } from "../../turns/engine.ts";
import { ApiError, errorHeaders } from "../api_error.ts";
import { type ConversationRequest, resolveConversation } from "../conversation_target.ts";
import { jsonBody } from "../openapi_shared.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";
import type { ServerTurn } from "../server_turn.ts";
import { NDJSON_HEADERS, textStream } from "../stream_response.ts";
import { awaitStreamStart, beginPromptTurn, markSession, streamOutcome } from "../turn_handler.ts";
import { errorFromReport, errorFromThrown } from "../turn_errors.ts";
import { SESSION_HEADER } from "../request_headers.ts";
import { restError } from "./rest_errors.ts";
import { ForkRequest, PromptRequest, RestErrorSchema, TurnResult } from "./rest_schemas.ts";

// Described, not typed: a handler of a route with typed responses could not stream.
const responses = {
  200: {
    description: "The turn's result (TurnResult), or with stream: true NDJSON unified events " +
      "ending in a done line",
  },
  400: { description: "Bad request (Error)" },
  404: { description: "No such session or model (Error)" },
  409: { description: "The session is busy (Error)" },
  "5XX": { description: "The backend failed (Error, with the turn's result as result)" },
};

const forkResponses = {
  ...responses,
  201: { description: "Without a prompt: the fork was made (SessionRecord); nothing ran yet" },
};

const promptRoute = createRoute({
  method: "post",
  path: "/api/v1/prompt",
  tags: ["clinvk"],
  summary: "Run a prompt: a new session, a continued one (session_id), or ephemeral",
  request: { body: jsonBody(PromptRequest) },
  responses,
});

const forkRoute = createRoute({
  method: "post",
  path: "/api/v1/sessions/{id}/fork",
  tags: ["clinvk"],
  summary: "Fork a session, and run a prompt in the fork when one is given",
  request: {
    params: z.object({ id: z.string().openapi({ description: "Session id or unique prefix" }) }),
    body: jsonBody(ForkRequest),
  },
  responses: forkResponses,
});

/** The `-o json` object of a report. */
function resultOf(report: TurnReport): Record<string, unknown> {
  return turnJson({ ...report, backend: report.backend as BackendName } as OutputReport);
}

async function* ndjson(turn: ServerTurn): AsyncGenerator<string> {
  for await (const event of turn.events()) {
    const line = streamEventLine(event, turn.sessionId);
    if (line) yield line;
  }
  const outcome = await streamOutcome(turn);
  if (outcome.report) {
    yield streamDoneLine(
      { ...outcome.report, backend: outcome.report.backend as BackendName } as OutputReport,
    );
  } else {
    const message = outcome.error?.message ?? "the turn failed";
    yield JSON.stringify({ type: "error", message, fatal: true }) + "\n";
  }
}

/** Adds the routes to `app`. */
export function promptRoutes(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  app.openAPIRegistry.register("TurnResult", TurnResult);
  app.openAPIRegistry.register("Error", RestErrorSchema);
  const run = async (
    c: Context<ServerEnv>,
    request: ConversationRequest,
    body: { prompt: string; system_prompt?: string; stream?: boolean },
  ) => {
    const conversation = await resolveConversation(deps, request);
    const stream = body.stream === true;
    const { turn, cancel } = await beginPromptTurn(c, deps, conversation, {
      prompt: body.prompt,
      systemPrompt: body.system_prompt,
    }, stream);
    if (stream) {
      await awaitStreamStart(c, turn);
      return c.body(textStream(ndjson(turn), cancel), 200, NDJSON_HEADERS);
    }
    let report: TurnReport;
    try {
      report = await turn.done;
    } finally {
      markSession(c, turn);
    }
    if (report.exitCode === 0) return c.json(resultOf(report), 200);
    const error = errorFromReport(report);
    c.set("failure", error.message);
    return c.json(
      { ...restError(error), result: resultOf(report) },
      error.status as 400,
      errorHeaders(error),
    );
  };

  app.openapi(promptRoute, async (c) => {
    const body = c.req.valid("json");
    return await run(c, {
      session: body.session_id ? { id: body.session_id, via: "session_id" } : undefined,
      backend: body.backend,
      model: body.model,
      workdir: body.workdir,
      ephemeral: body.ephemeral,
      tags: body.tags,
      title: body.title,
      wait: body.wait,
    }, body);
  });

  app.openapi(forkRoute, async (c) => {
    const body = c.req.valid("json");
    // An id or a unique prefix, as `clinvk sessions fork` and `GET /api/v1/sessions/{id}` take.
    let parent: SessionRecord;
    try {
      parent = await deps.store.resolve(c.req.valid("param").id);
    } catch (error) {
      throw errorFromThrown(error);
    }
    const request: ConversationRequest = {
      session: { id: parent.id, via: "the path" },
      fork: true,
      model: body.model,
      tags: body.tags,
    };
    if (body.prompt !== undefined) return await run(c, request, { ...body, prompt: body.prompt });
    return await forkOnly(c, deps, request, body);
  });
}

/** A fork without a prompt: the engine makes the record; the backend forks on its first turn. */
async function forkOnly(
  c: Context<ServerEnv>,
  deps: ServerDeps,
  request: ConversationRequest,
  body: { system_prompt?: string; stream?: boolean },
): Promise<Response> {
  const given = body.stream !== undefined
    ? "stream"
    : body.system_prompt !== undefined
    ? "system_prompt"
    : undefined;
  if (given) {
    throw new ApiError(
      "invalid_request",
      `${given} applies to a turn, and this fork has no prompt; send one, or leave ${given} out`,
      { param: given },
    );
  }
  const conversation = await resolveConversation(deps, request);
  let record: SessionRecord;
  try {
    record = await forkSession(
      { platform: deps.platform, config: deps.config, store: deps.store, warn: deps.warn },
      {
        sessionId: conversation.session!.id,
        tags: conversation.target.kind === "fork" ? conversation.target.tags : undefined,
        model: conversation.model,
      },
    );
  } catch (error) {
    throw errorFromThrown(error);
  }
  c.set("session", record.id);
  c.header(SESSION_HEADER, record.id);
  return c.json({ ...record }, 201);
}
