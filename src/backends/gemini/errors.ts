/**
 * The Gemini CLI's errors: what on its stderr is noise, where the error object is, and what
 * kind each error is.
 * @module
 */
import { describeApiError } from "../shared/error_text.ts";
import {
  classOfHttpStatus,
  httpStatusIn,
  NETWORK_ERROR,
  OVERLOADED_ERROR,
  RATE_LIMIT_ERROR,
} from "../shared/error_class.ts";
import { extractJsonObjects } from "../shared/json_extract.ts";
import { asNumber, asObject, asString, type JsonObject } from "../shared/json_value.ts";
import { errorLine, type NoiseRules } from "../shared/stderr_noise.ts";
import type { BackendFailure, ErrorClass } from "../types.ts";

/**
 * What Gemini prints on stderr that is not the error: terminal and tool warnings, start-up
 * metrics, retry notes (the final error follows them) and the tail of a JS error dump
 * (`  status: 400` / `}`). Stack frames are dropped for every backend.
 */
const GEMINI_NOISE: NoiseRules = {
  noise: [
    /^Warning: 256-color support not detected/,
    /^Ripgrep is not available/,
    /^\[STARTUP\]/,
    /^Attempt \d+ failed/,
    /^\s*status: \d+\s*$/,
    /^\s*[{}]\s*$/,
  ],
};

/** Gemini's API failure line: a report path, then the error itself. */
const API_FAILURE = /^Error when talking to Gemini API Full report available at: \S+\s+(.+)$/;

/**
 * The real error text in Gemini's stderr. In one-shot JSON mode Gemini ends stderr with a
 * JSON object `{session_id, error: {message, code}}` after warnings and a stack trace: its
 * message is used. Otherwise the first meaningful line, with the report path cut off.
 */
export function geminiErrorFromStderr(stderr: string): string | undefined {
  const report = lastReport(stderr);
  const reported = report === undefined ? undefined : reportError(report);
  if (reported !== undefined) return reported;
  const line = errorLine(stderr, GEMINI_NOISE);
  if (line === undefined) return undefined;
  const apiFailure = API_FAILURE.exec(line);
  return apiFailure?.[1] !== undefined ? describeApiError(apiFailure[1]) : line;
}

/** The last JSON object in `text` shaped like Gemini's one-shot report. */
export function lastReport(text: string): JsonObject | undefined {
  return extractJsonObjects(text)
    .filter((o) => "session_id" in o || "response" in o || "error" in o)
    .at(-1);
}

/** The readable message of a report's `error`. */
export function reportError(report: JsonObject): string | undefined {
  const error = report.error;
  const message = asString(asObject(error)?.message) ?? asString(error);
  return message === undefined || message.trim() === "" ? undefined : describeApiError(message);
}

/** Google's RPC status names (in the API error body) and what they mean. */
const RPC_STATUSES: Readonly<Record<string, ErrorClass>> = {
  INVALID_ARGUMENT: "bad_request",
  FAILED_PRECONDITION: "bad_request",
  OUT_OF_RANGE: "bad_request",
  UNAUTHENTICATED: "auth",
  PERMISSION_DENIED: "auth",
  NOT_FOUND: "not_found",
  RESOURCE_EXHAUSTED: "rate_limit",
  UNAVAILABLE: "overloaded",
  INTERNAL: "overloaded",
  DEADLINE_EXCEEDED: "overloaded",
};

/** Gemini's own exit codes (samples/README.md): 41 no API key, 42 unknown or busy session. */
const EXIT_CLASSES: Readonly<Record<number, ErrorClass>> = { 41: "auth", 42: "not_found" };

/**
 * Classifies a failed Gemini run (samples/gemini/error-*): the API error body's `code` and
 * `status` (`{"error":{"code":401,…,"status":"UNAUTHENTICATED"}}`, in the stream's `result` or
 * the object at the end of stderr), Gemini's own exit codes (41 no key, 42 unknown session),
 * "fetch failed" (network) — and, when nothing else tells, the exit code, which is the HTTP
 * status modulo 256 (144 is a 400, 145 a 401, 244 a 500).
 *
 * @example
 * ```ts
 * classifyGeminiError({ message: "API error 401: denied", exitCode: 145, stderr: "" }); // "auth"
 * ```
 */
export function classifyGeminiError(failure: BackendFailure): ErrorClass {
  const report = lastReport(failure.stderr);
  const reportCode = asNumber(asObject(report?.error)?.code);
  const text = [failure.raw, failure.message, failure.stderr].filter(Boolean).join("\n");
  const exitClass = EXIT_CLASSES[reportCode ?? -1] ?? EXIT_CLASSES[failure.exitCode];
  if (exitClass) return exitClass;
  if (/Invalid session identifier|No previous sessions found/i.test(text)) return "not_found";
  const rpc = /"status"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1];
  if (rpc !== undefined && RPC_STATUSES[rpc]) return RPC_STATUSES[rpc];
  const byStatus = classOfHttpStatus(failure.status ?? httpStatusIn(text) ?? reportCode);
  if (byStatus) return byStatus;
  if (/GEMINI_API_KEY|GOOGLE_API_KEY|API key|authenticat/i.test(text)) return "auth";
  if (RATE_LIMIT_ERROR.test(text)) return "rate_limit";
  if (OVERLOADED_ERROR.test(text)) return "overloaded";
  if (NETWORK_ERROR.test(text)) return "network";
  return classOfHttpStatus(statusOfExitCode(failure.exitCode)) ?? "other";
}

/** The HTTP status a Gemini exit code stands for (Gemini exits with the status mod 256). */
function statusOfExitCode(exitCode: number): number | undefined {
  return exitCode >= 144 && exitCode <= 255 ? exitCode + 256 : undefined;
}
