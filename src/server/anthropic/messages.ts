/**
 * `POST /v1/messages` (Anthropic Messages API), streaming and not, and
 * `POST /v1/messages/count_tokens`. `metadata.session_id` (or `X-Clinvk-Session`) continues a
 * clinvk session through the backend's own resume.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../api_error.ts";
import { turnPrompt } from "../conversation.ts";
import { randomId } from "../ids.ts";
import { ClinvkHeaderParams, jsonBody } from "../openapi_shared.ts";
import { clinvkHeaders, headerText, SESSION_HEADER } from "../request_headers.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";
import { SSE_HEADERS, sseFrames, textStream, withKeepalive } from "../stream_response.ts";
import { awaitStreamStart, beginTurn, finishedReport } from "../turn_handler.ts";
import { anthropicMessages } from "./messages_input.ts";
import { CountTokensRequest, type MessagesBody, MessagesRequest } from "./messages_schema.ts";
import { messageEvents, ping as anthropicPing } from "./messages_stream.ts";
import { estimateTokens } from "./token_estimate.ts";
import { anthropicUsage } from "./usage.ts";

const messagesRoute = createRoute({
  method: "post",
  path: "/v1/messages",
  tags: ["Anthropic"],
  summary: "Create a message (Anthropic Messages API)",
  request: { headers: ClinvkHeaderParams, body: jsonBody(MessagesRequest) },
  responses: {
    200: {
      description: "A message object, or with stream: true the Messages stream events " +
        "(text/event-stream) from message_start to message_stop",
    },
  },
});

const countRoute = createRoute({
  method: "post",
  path: "/v1/messages/count_tokens",
  tags: ["Anthropic"],
  summary: "Estimate the input tokens of a message (an estimate: see the README)",
  request: { body: jsonBody(CountTokensRequest) },
  responses: {
    200: {
      description: "The estimate",
      content: { "application/json": { schema: z.object({ input_tokens: z.number().int() }) } },
    },
  },
});

function sessionOf(body: MessagesBody, header: string | undefined) {
  const named = body.metadata?.session_id?.trim();
  if (named && header && named !== header) {
    throw new ApiError(
      "invalid_request",
      `The X-Clinvk-Session header names session ${header} but metadata.session_id names ${named}`,
    );
  }
  if (named) return { id: named, via: "metadata.session_id" };
  return header ? { id: header, via: "the X-Clinvk-Session header" } : undefined;
}

/** Adds the routes to `app`. */
export function messagesRoutes(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  app.openapi(messagesRoute, async (c) => {
    const body = c.req.valid("json");
    const headers = clinvkHeaders(c);
    const stream = body.stream === true;
    c.header("request-id", c.get("requestId"));
    const { turn, cancel } = await beginTurn(
      c,
      deps,
      {
        session: sessionOf(body, headers.session),
        ephemeral: headers.ephemeral,
        wait: headers.wait,
        model: body.model,
        workdir: headers.workdir,
      },
      anthropicMessages(body),
      stream,
    );
    const id = randomId("msg_");
    if (!stream) {
      const report = await finishedReport(c, turn);
      return c.json({
        id,
        type: "message",
        role: "assistant",
        model: report.model ?? body.model,
        content: [{ type: "text", text: report.content }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: anthropicUsage(report.usage),
      });
    }
    await awaitStreamStart(c, turn);
    const events = messageEvents(turn, { id, model: turn.model ?? body.model }, c.get("requestId"));
    return c.body(
      textStream(sseFrames(withKeepalive(events, anthropicPing)), cancel),
      200,
      SSE_HEADERS,
    );
  });

  app.openapi(countRoute, (c) => {
    const body = c.req.valid("json");
    // A continued session sends only its new turn; count what would be sent.
    const continuing = Boolean(headerText(c, SESSION_HEADER));
    const { prompt, systemPrompt } = turnPrompt(anthropicMessages(body), continuing);
    c.header("request-id", c.get("requestId"));
    return c.json({
      input_tokens: estimateTokens([prompt, ...(systemPrompt ? [systemPrompt] : [])]),
    }, 200);
  });
}
