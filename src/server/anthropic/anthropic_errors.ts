/**
 * Anthropic's error object: `{"type": "error", "error": {"type", "message"}, "request_id"}`,
 * with Anthropic's error types and statuses (an overloaded backend is 529 `overloaded_error`).
 * @module
 */
import type { ApiError, ErrorKind } from "../api_error.ts";

/** The body of an Anthropic error response (also the `data:` of a stream's `error` event). */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id: string | null;
}

const ERROR_TYPE: Readonly<Record<ErrorKind, string>> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  conflict: "conflict_error",
  too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  backend_auth: "api_error",
  backend_failed: "api_error",
  overloaded: "overloaded_error",
  unavailable: "api_error",
  timeout: "timeout_error",
  internal: "api_error",
};

/** The HTTP status Anthropic uses for `error` (529 for overloaded). */
export function anthropicStatus(error: ApiError): number {
  return error.kind === "overloaded" ? 529 : error.status;
}

/**
 * Renders `error` as Anthropic does.
 *
 * @example
 * ```ts
 * import { ApiError } from "../api_error.ts";
 * anthropicError(new ApiError("overloaded", "Overloaded"), "req_1");
 * // { type: "error", error: { type: "overloaded_error", message: "Overloaded" }, request_id: "req_1" }
 * ```
 */
export function anthropicError(error: ApiError, requestId?: string): AnthropicErrorBody {
  return {
    type: "error",
    error: { type: ERROR_TYPE[error.kind], message: error.message },
    request_id: requestId ?? null,
  };
}
