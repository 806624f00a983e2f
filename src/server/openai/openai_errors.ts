/**
 * OpenAI's error object: `{"error": {"message", "type", "param", "code"}}`, with the `type` and
 * `code` values the OpenAI API itself uses (`invalid_request_error` / `invalid_api_key`,
 * `model_not_found`, `rate_limit_exceeded` with type `requests` or `tokens`, `server_error`).
 * @module
 */
import type { ApiError, ErrorKind } from "../api_error.ts";

/** The body of an OpenAI error response (also sent as `data:` of a failed chat stream). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const DEFAULT_CODE: Readonly<Record<ErrorKind, string | null>> = {
  invalid_request: null,
  authentication: "invalid_api_key",
  permission: "permission_denied",
  not_found: "not_found",
  conflict: "session_busy",
  too_large: "request_too_large",
  rate_limit: "rate_limit_exceeded",
  backend_auth: "backend_auth_failed",
  backend_failed: "backend_error",
  overloaded: "backend_overloaded",
  unavailable: "service_unavailable",
  timeout: "timeout",
  internal: "internal_error",
};

/** OpenAI's error `type` for a kind. */
function openAIType(error: ApiError): string {
  if (error.kind === "rate_limit") return error.options.limit ?? "requests";
  return error.status >= 500 ? "server_error" : "invalid_request_error";
}

/**
 * Renders `error` as OpenAI does.
 *
 * @example
 * ```ts
 * import { ApiError } from "../api_error.ts";
 * openAIError(new ApiError("not_found", "No such model", { code: "model_not_found" }));
 * // { error: { message: "No such model", type: "invalid_request_error", param: null, code: "model_not_found" } }
 * ```
 */
export function openAIError(error: ApiError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: openAIType(error),
      param: error.options.param ?? null,
      code: error.options.code ?? DEFAULT_CODE[error.kind],
    },
  };
}
