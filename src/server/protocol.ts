/**
 * Which protocol a request speaks, by its path, and its error response in that protocol.
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ApiError, errorHeaders } from "./api_error.ts";
import { anthropicError, anthropicStatus } from "./anthropic/anthropic_errors.ts";
import { openAIError } from "./openai/openai_errors.ts";
import { restError } from "./rest/rest_errors.ts";
import type { Protocol, ServerEnv } from "./server_env.ts";

/**
 * `/v1/messages…` is Anthropic's; `/v1/models` is Anthropic's when the client sends
 * `anthropic-version` (the Anthropic SDKs always do); the rest of `/v1` is OpenAI's; anything
 * else is clinvk's REST API.
 */
export function protocolOf(path: string, headers: Headers): Protocol {
  if (path.startsWith("/v1/messages")) return "anthropic";
  if (path.startsWith("/v1/models") && headers.has("anthropic-version")) return "anthropic";
  return path.startsWith("/v1/") || path === "/v1" ? "openai" : "rest";
}

/** The JSON body and status of `error` in `protocol`. */
export function errorBody(
  error: ApiError,
  protocol: Protocol,
  requestId?: string,
): { status: number; body: unknown } {
  switch (protocol) {
    case "anthropic":
      return { status: anthropicStatus(error), body: anthropicError(error, requestId) };
    case "openai":
      return { status: error.status, body: openAIError(error) };
    default:
      return { status: error.status, body: restError(error) };
  }
}

/** The error response for `error` in the protocol of the request in `c`. */
export function errorResponse(c: Context<ServerEnv>, error: ApiError): Response {
  const protocol = protocolOf(c.req.path, c.req.raw.headers);
  const { status, body } = errorBody(error, protocol, c.get("requestId"));
  c.set("failure", error.message);
  // c.json keeps the headers set before the error (X-Clinvk-Session, X-Request-Id).
  return c.json(body, status as ContentfulStatusCode, errorHeaders(error));
}
