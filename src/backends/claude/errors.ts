/**
 * Claude Code's errors: where they are printed and what kind each is.
 * @module
 */
import {
  classOfHttpStatus,
  httpStatusIn,
  NETWORK_ERROR,
  OVERLOADED_ERROR,
  RATE_LIMIT_ERROR,
} from "../shared/error_class.ts";
import { errorLine, type NoiseRules } from "../shared/stderr_noise.ts";
import type { BackendFailure, ErrorClass } from "../types.ts";

/** Claude Code prints no start-up noise on stderr; what is there is the error. */
const CLAUDE_NOISE: NoiseRules = { noise: [] };

/** The real error text in Claude Code's stderr (e.g. `No conversation found with session ID: …`). */
export function claudeErrorFromStderr(stderr: string): string | undefined {
  return errorLine(stderr, CLAUDE_NOISE);
}

/**
 * Classifies a failed Claude Code run (samples/claude/error-*): the `result` carries the API's
 * HTTP status (`api_error_status`) for API errors; without one, the text tells: "Not logged in ·
 * Please run /login" (auth), "Unable to connect to API (ConnectionRefused)" (network), and on
 * stderr "No conversation found with session ID" (a resume id Claude does not know).
 *
 * @example
 * ```ts
 * classifyClaudeError({ message: "Not logged in · Please run /login", exitCode: 1, stderr: "" });
 * // "auth"
 * ```
 */
export function classifyClaudeError(failure: BackendFailure): ErrorClass {
  const text = [failure.raw, failure.message, failure.stderr].filter(Boolean).join("\n");
  if (/No conversation found/i.test(text)) return "not_found";
  const byStatus = classOfHttpStatus(failure.status ?? httpStatusIn(text));
  if (byStatus) return byStatus;
  if (
    /\b(?:authentication_failed|Not logged in|\/login|invalid api key|Failed to authenticate)/i
      .test(text)
  ) {
    return "auth";
  }
  if (/\brate_limit\b/.test(text) || RATE_LIMIT_ERROR.test(text)) return "rate_limit";
  if (/\b(?:server_error|overloaded_error)\b/.test(text) || OVERLOADED_ERROR.test(text)) {
    return "overloaded";
  }
  if (NETWORK_ERROR.test(text)) return "network";
  if (/\binvalid_request\b/.test(text)) return "bad_request";
  return "other";
}
