/**
 * clinvk's own request headers: `X-Clinvk-Session`, `X-Clinvk-Ephemeral`, `X-Clinvk-Wait`
 * and `X-Clinvk-Workdir`, read the same way on every route.
 * @module
 */
import type { Context } from "hono";
import { ApiError } from "./api_error.ts";
import type { ServerEnv } from "./server_env.ts";

/** The header naming the session a request continues; every response carries it too. */
export const SESSION_HEADER = "X-Clinvk-Session";
/** `1`: run without recording a session. */
export const EPHEMERAL_HEADER = "X-Clinvk-Ephemeral";
/** `1`: wait for a busy session instead of a 409. */
export const WAIT_HEADER = "X-Clinvk-Wait";
/** The directory a new session runs in (within the allowed roots). */
export const WORKDIR_HEADER = "X-Clinvk-Workdir";

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

/** A yes/no header; absent is no. Throws a 400 for anything that is neither. */
export function headerFlag(c: Context<ServerEnv>, name: string): boolean {
  const value = (c.req.header(name) ?? "").trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new ApiError("invalid_request", `Header ${name} must be 1 or 0, not "${value}"`);
}

/** A text header, trimmed; `undefined` when absent or empty. */
export function headerText(c: Context<ServerEnv>, name: string): string | undefined {
  const value = c.req.header(name)?.trim();
  return value ? value : undefined;
}

/** Everything a turn needs from clinvk's headers. */
export interface ClinvkHeaders {
  session?: string;
  ephemeral: boolean;
  wait: boolean;
  workdir?: string;
}

/** Reads clinvk's headers of the request in `c`. */
export function clinvkHeaders(c: Context<ServerEnv>): ClinvkHeaders {
  return {
    session: headerText(c, SESSION_HEADER),
    ephemeral: headerFlag(c, EPHEMERAL_HEADER),
    wait: headerFlag(c, WAIT_HEADER),
    workdir: headerText(c, WORKDIR_HEADER),
  };
}
