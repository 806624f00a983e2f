/**
 * The server's one error type. Handlers and middleware throw an {@linkcode ApiError}; the app's
 * error handler renders it in the protocol of the route (OpenAI, Anthropic or clinvk's REST
 * API), with the HTTP status, `Retry-After` and `x-should-retry` that go with its kind.
 * @module
 */

/** What went wrong, independent of the protocol that reports it. */
export type ErrorKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "conflict"
  | "too_large"
  | "rate_limit"
  | "backend_auth"
  | "backend_failed"
  | "overloaded"
  | "unavailable"
  | "timeout"
  | "internal";

/** The HTTP status of each kind (Anthropic answers `overloaded` with its own 529). */
export const STATUS_OF: Readonly<Record<ErrorKind, number>> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limit: 429,
  backend_auth: 502,
  backend_failed: 502,
  overloaded: 503,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};

/** Kinds a client may retry unchanged (the SDKs read `x-should-retry`). */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set(["conflict", "rate_limit", "overloaded"]);

/** Details of an {@linkcode ApiError}. */
export interface ApiErrorOptions {
  /** Machine-readable code, e.g. `model_not_found` (OpenAI's `code`). */
  code?: string;
  /** The request field at fault (OpenAI's `param`). */
  param?: string;
  /** Sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Overrides whether the client should retry; default: by kind. */
  retryable?: boolean;
  /** For rate limits: what ran out (OpenAI's error `type`). */
  limit?: "requests" | "tokens";
}

/**
 * A failure to report to the client. `message` is one sentence saying what failed and why,
 * and what to do where that is not obvious.
 *
 * @example
 * ```ts
 * throw new ApiError("not_found", 'Model "gpt-4o" is not served here', { code: "model_not_found" });
 * ```
 */
export class ApiError extends Error {
  /** What went wrong. */
  readonly kind: ErrorKind;
  /** Details for the protocol's error object and headers. */
  readonly options: ApiErrorOptions;

  /** An error of `kind` with its message and details. */
  constructor(kind: ErrorKind, message: string, options: ApiErrorOptions = {}) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.options = options;
  }

  /** The HTTP status for this error. */
  get status(): number {
    return STATUS_OF[this.kind];
  }

  /** Whether the client may send the same request again. */
  get retryable(): boolean {
    return this.options.retryable ?? RETRYABLE.has(this.kind);
  }
}

/** The headers every error response carries: `Retry-After` and `x-should-retry`. */
export function errorHeaders(error: ApiError): Record<string, string> {
  const headers: Record<string, string> = { "x-should-retry": String(error.retryable) };
  if (error.options.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(Math.max(1, Math.ceil(error.options.retryAfterSeconds)));
  }
  return headers;
}
