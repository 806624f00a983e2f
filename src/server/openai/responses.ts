/**
 * `POST /v1/responses` (OpenAI Responses API), streaming and not. A response's id names its
 * clinvk session, so `previous_response_id` (or `conversation: "conv_<session>"`) continues
 * that session through the backend's own resume.
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { conversationId, randomId, responseId, unixSeconds } from "../ids.ts";
import { ClinvkHeaderParams, jsonBody } from "../openapi_shared.ts";
import { clinvkHeaders } from "../request_headers.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";
import type { ServerTurn } from "../server_turn.ts";
import {
  KEEPALIVE_COMMENT,
  SSE_HEADERS,
  sseFrames,
  textStream,
  withKeepalive,
} from "../stream_response.ts";
import { awaitStreamStart, beginTurn, finishedReport } from "../turn_handler.ts";
import { messageItem, type ResponseHeader, responseObject } from "./response_object.ts";
import { responsesMessages, responsesSession } from "./responses_input.ts";
import { type ResponsesBody, ResponsesRequest } from "./responses_schema.ts";
import { responseEvents } from "./responses_stream.ts";

const route = createRoute({
  method: "post",
  path: "/v1/responses",
  tags: ["OpenAI"],
  summary: "Create a model response (OpenAI Responses API)",
  request: { headers: ClinvkHeaderParams, body: jsonBody(ResponsesRequest) },
  responses: {
    200: {
      description: "A response object, or with stream: true the Responses API events " +
        "(text/event-stream) from response.created to response.completed",
    },
  },
});

function header(body: ResponsesBody, turn: ServerTurn, model: string | null, createdAt: number) {
  const named = typeof body.conversation === "string" ? body.conversation : body.conversation?.id;
  const value: ResponseHeader = {
    id: responseId(turn.sessionId),
    createdAt,
    model: model ?? body.model ?? "",
    instructions: body.instructions ?? null,
    previousResponseId: body.previous_response_id ?? null,
    metadata: body.metadata ?? {},
  };
  if (named && turn.sessionId) value.conversation = conversationId(turn.sessionId);
  return value;
}

/** Adds the route to `app`. */
export function responsesRoute(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const headers = clinvkHeaders(c);
    const stream = body.stream === true;
    const { turn, cancel } = await beginTurn(
      c,
      deps,
      {
        session: responsesSession(body, headers.session),
        ephemeral: headers.ephemeral,
        wait: headers.wait,
        model: body.model,
        workdir: headers.workdir,
      },
      responsesMessages(body),
      stream,
    );
    const createdAt = unixSeconds(deps.platform.clock.now());
    const itemId = randomId("msg_");
    if (!stream) {
      const report = await finishedReport(c, turn);
      const done = header(body, turn, report.model ?? turn.model ?? null, createdAt);
      return c.json(responseObject(done, "completed", {
        output: [messageItem(itemId, report.content, "completed")],
        usage: report.usage,
        completedAt: unixSeconds(deps.platform.clock.now()),
      }));
    }
    await awaitStreamStart(c, turn);
    const events = responseEvents(
      turn,
      header(body, turn, turn.model ?? null, createdAt),
      itemId,
      () => deps.platform.clock.now().getTime(),
    );
    return c.body(
      textStream(sseFrames(withKeepalive(events, () => KEEPALIVE_COMMENT)), cancel),
      200,
      SSE_HEADERS,
    );
  });
}
