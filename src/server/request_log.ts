/**
 * The one log line written per request, on stderr, as JSON or as text (`--log-format`).
 * Streams are logged when their last byte is sent, so the duration is the whole request.
 * @module
 */
import type { LogFormat } from "../config/schema.ts";

/** What a request log line says. */
export interface RequestLogEntry {
  time: string;
  request_id: string;
  method: string;
  path: string;
  /** The route pattern that matched (`/v1/messages`), or `unmatched`. */
  route: string;
  status: number;
  duration_ms: number;
  client: string;
  /** Name of the API key used; `anonymous` without keys. */
  key?: string;
  session?: string;
  backend?: string;
  /** Set when the client went away before the response was complete. */
  aborted?: boolean;
  /** The error message of a failed request. */
  error?: string;
}

/**
 * Formats one log line (with its newline).
 *
 * @example
 * ```ts
 * formatRequestLog({
 *   time: "2025-01-27T10:00:00.000Z", request_id: "r1", method: "GET", path: "/health",
 *   route: "/health", status: 200, duration_ms: 1.2, client: "127.0.0.1",
 * }, "text");
 * // "2025-01-27T10:00:00.000Z GET /health 200 1.2ms client=127.0.0.1 id=r1\n"
 * ```
 */
export function formatRequestLog(entry: RequestLogEntry, format: LogFormat): string {
  if (format === "json") return JSON.stringify({ level: levelOf(entry.status), ...entry }) + "\n";
  const fields = [
    `client=${entry.client}`,
    entry.key && `key=${entry.key}`,
    entry.session && `session=${entry.session}`,
    entry.backend && `backend=${entry.backend}`,
    `id=${entry.request_id}`,
    entry.aborted && "aborted",
    entry.error && `error=${JSON.stringify(entry.error)}`,
  ].filter(Boolean);
  return `${entry.time} ${entry.method} ${entry.path} ${entry.status} ${entry.duration_ms}ms ${
    fields.join(" ")
  }\n`;
}

function levelOf(status: number): "info" | "warn" | "error" {
  if (status >= 500) return "error";
  return status >= 400 ? "warn" : "info";
}
