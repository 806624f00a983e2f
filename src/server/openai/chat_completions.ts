/**
 * `POST /v1/chat/completions` (OpenAI Chat Completions), streaming and not.
 * @module
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { randomId, unixSeconds } from "../ids.ts";
import { ClinvkHeaderParams, jsonBody } from "../openapi_shared.ts";
import { clinvkHeaders } from "../request_headers.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";
import {
  KEEPALIVE_COMMENT,
  SSE_HEADERS,
  sseFrames,
  textStream,
  withKeepalive,
} from "../stream_response.ts";
import { awaitStreamStart, beginTurn, finishedReport } from "../turn_handler.ts";
import { chatMessages } from "./chat_messages.ts";
import { ChatCompletionRequest } from "./chat_schema.ts";
import { chatChunks } from "./chat_stream.ts";
import { chatUsage } from "./usage.ts";

const route = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  tags: ["OpenAI"],
  summary: "Create a chat completion (OpenAI Chat Completions API)",
  request: { headers: ClinvkHeaderParams, body: jsonBody(ChatCompletionRequest) },
  responses: {
    200: {
      description: "A chat.completion object, or with stream: true chat.completion.chunk " +
        "events (text/event-stream) ending in data: [DONE]",
    },
  },
});

/** Adds the route to `app`. */
export function chatCompletionsRoute(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const headers = clinvkHeaders(c);
    const stream = body.stream === true;
    const { turn, cancel } = await beginTurn(
      c,
      deps,
      {
        session: headers.session
          ? { id: headers.session, via: "the X-Clinvk-Session header" }
          : undefined,
        ephemeral: headers.ephemeral,
        wait: headers.wait,
        model: body.model,
        workdir: headers.workdir,
      },
      chatMessages(body.messages),
      stream,
    );
    const id = randomId("chatcmpl-");
    const created = unixSeconds(deps.platform.clock.now());
    if (!stream) {
      const report = await finishedReport(c, turn);
      return c.json({
        id,
        object: "chat.completion",
        created,
        model: report.model ?? body.model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: report.content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: "stop",
        }],
        usage: chatUsage(report.usage),
      });
    }
    await awaitStreamStart(c, turn);
    const chunks = chatChunks(turn, {
      id,
      created,
      model: turn.model ?? body.model,
      includeUsage: body.stream_options?.include_usage === true,
    });
    return c.body(
      textStream(sseFrames(withKeepalive(chunks, () => KEEPALIVE_COMMENT)), cancel),
      200,
      SSE_HEADERS,
    );
  });
}
