/**
 * The Hono environment of the server: what each request carries between middleware and
 * handlers.
 * @module
 */

/** Which protocol a route speaks; it decides the shape of error responses. */
export type Protocol = "openai" | "anthropic" | "rest";

/** Hono's `Env` for clinvk's server. */
export interface ServerEnv {
  /** Passed by the listener with each request. */
  Bindings: { remoteAddress: string };
  Variables: {
    /** From `hono/request-id`: the client's `X-Request-Id` or a new one. */
    requestId: string;
    /** The client's address (see `client_address.ts`). */
    client: string;
    /** Name of the API key; `anonymous@<client>` when the server has no keys. */
    key: string;
    /** The session the request ran in, for the log line. */
    session?: string;
    /** The backend the request ran on, for the log line. */
    backend?: string;
    /** The error message of a failed request, for the log line. */
    failure?: string;
  };
}
