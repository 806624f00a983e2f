/**
 * The error object of clinvk's own REST API (`/api/v1`, `/health`, `/ready`, `/metrics`):
 * `{"error": {"code", "message"}}` with the HTTP status of the error's kind.
 * @module
 */
import type { ApiError } from "../api_error.ts";

/** The body of a REST API error response. */
export interface RestErrorBody {
  error: { code: string; message: string };
}

/** Renders `error` for the REST API; `code` is the error's own code or its kind. */
export function restError(error: ApiError): RestErrorBody {
  return { error: { code: error.options.code ?? error.kind, message: error.message } };
}
