/**
 * The Codex CLI's errors: what on its stderr is noise, and what kind each error is.
 * @module
 */
import { asNumber, asObject, asString } from "../shared/json_value.ts";
import {
  classOfHttpStatus,
  httpStatusIn,
  NETWORK_ERROR,
  OVERLOADED_ERROR,
  RATE_LIMIT_ERROR,
} from "../shared/error_class.ts";
import { errorLine, type NoiseRules } from "../shared/stderr_noise.ts";
import type { BackendFailure, ErrorClass } from "../types.ts";

/**
 * What Codex prints on stderr that is not an error: the stdin note, the text-mode header
 * (samples/codex/text.stderr) and sandbox warnings. A Rust `Stack backtrace:` ends the useful
 * part.
 */
const CODEX_NOISE: NoiseRules = {
  noise: [
    /^Reading additional input from stdin/,
    /^OpenAI Codex v/,
    /^-{4,}$/,
    /^(workdir|model|provider|approval|sandbox|reasoning effort|reasoning summaries|session id): /,
    /^warning: /,
  ],
  stopAt: [/^Stack backtrace:/],
};

/** The real error text in Codex's stderr (e.g. `Not inside a trusted directory …`). */
export function codexErrorFromStderr(stderr: string): string | undefined {
  return errorLine(stderr, CODEX_NOISE);
}

/** OpenAI's error `type`s (in the JSON body Codex passes through) and what they mean. */
const OPENAI_ERROR_TYPES: Readonly<Record<string, ErrorClass>> = {
  invalid_request_error: "bad_request",
  authentication_error: "auth",
  permission_error: "auth",
  invalid_api_key: "auth",
  not_found_error: "not_found",
  rate_limit_error: "rate_limit",
  rate_limit_exceeded: "rate_limit",
  insufficient_quota: "rate_limit",
  server_error: "overloaded",
  overloaded_error: "overloaded",
};

/**
 * Classifies a failed Codex run (samples/codex/error-*): an API error body in the message
 * (`{"error":{"type":"invalid_request_error",…}}`), `unexpected status 401 Unauthorized: …`,
 * "We’re currently experiencing high demand" (a 500), "Missing environment variable:
 * `…_API_KEY`" (no key), "Connection failed: error sending request", and on stderr "no rollout
 * found for thread id" (a resume id Codex does not know).
 *
 * @example
 * ```ts
 * classifyCodexError({ message: "Connection failed: error sending request", exitCode: 1, stderr: "" });
 * // "network"
 * ```
 */
export function classifyCodexError(failure: BackendFailure): ErrorClass {
  const text = [failure.raw, failure.message, failure.stderr].filter(Boolean).join("\n");
  if (/no rollout found|thread not found/i.test(text)) return "not_found";
  const body = apiErrorBody(failure.raw ?? failure.message);
  const byType = body?.type === undefined ? undefined : OPENAI_ERROR_TYPES[body.type];
  if (byType) return byType;
  const byStatus = classOfHttpStatus(body?.status ?? failure.status ?? httpStatusIn(text));
  if (byStatus) return byStatus;
  if (/Missing environment variable|api key|Unauthorized|not logged in|codex login/i.test(text)) {
    return "auth";
  }
  if (RATE_LIMIT_ERROR.test(text)) return "rate_limit";
  if (OVERLOADED_ERROR.test(text)) return "overloaded";
  if (NETWORK_ERROR.test(text) || /Reconnecting/.test(text)) return "network";
  return "other";
}

/** The `error` object of an API error body passed through as the message, if it is one. */
function apiErrorBody(text: string): { type?: string; status?: number } | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  try {
    const error = asObject(asObject(JSON.parse(text.slice(start)))?.error);
    if (error === undefined) return undefined;
    const type = asString(error.type) ?? asString(error.code);
    const status = asNumber(error.code) ?? asNumber(error.status);
    return { type, status };
  } catch {
    return undefined;
  }
}
