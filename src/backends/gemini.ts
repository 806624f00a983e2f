/**
 * The Gemini CLI (`gemini`) adapter.
 * @module
 */
import { requireSessionId } from "./argv_checks.ts";
import { describeApiError } from "./error_text.ts";
import { geminiArgs } from "./gemini_args.ts";
import { geminiJsonStats } from "./gemini_stats.ts";
import { GeminiStreamParser } from "./gemini_stream.ts";
import { extractJsonObjects } from "./json_extract.ts";
import { asNonEmptyString, asObject, asString, type JsonObject } from "./json_value.ts";
import { resolveModelAlias } from "./models.ts";
import { errorLine, type NoiseRules } from "./stderr_noise.ts";
import { parseTextOutput } from "./text_result.ts";
import type { Backend, TurnResult } from "./types.ts";

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

/**
 * Parses `gemini -p P -o json`: one pretty-printed object on stdout. On failure stdout is
 * empty and the object (with `error` instead of `response`) is at the end of stderr.
 */
export function parseGeminiJson(stdout: string, stderr: string): TurnResult {
  const report = lastReport(stdout) ?? lastReport(stderr);
  if (report === undefined) {
    return {
      content: "",
      usageIsCumulative: false,
      error: geminiErrorFromStderr(stderr) ?? "Gemini printed no JSON result",
    };
  }
  const result: TurnResult = {
    content: asString(report.response) ?? "",
    usageIsCumulative: false,
  };
  const id = asNonEmptyString(report.session_id);
  if (id !== undefined) result.backendSessionId = id;
  const { usage, model } = geminiJsonStats(report.stats);
  if (usage !== undefined) result.usage = usage;
  if (model !== undefined) result.model = model;
  const error = reportError(report);
  if (error !== undefined) result.error = error;
  return result;
}

/** The last JSON object in `text` shaped like Gemini's one-shot report. */
function lastReport(text: string): JsonObject | undefined {
  return extractJsonObjects(text)
    .filter((o) => "session_id" in o || "response" in o || "error" in o)
    .at(-1);
}

function reportError(report: JsonObject): string | undefined {
  const error = report.error;
  const message = asString(asObject(error)?.message) ?? asString(error);
  return message === undefined || message.trim() === "" ? undefined : describeApiError(message);
}

/**
 * Gemini CLI. New: `gemini -p P`; resume: `--resume ID`. No native fork (see
 * `forkGeminiChat`) and no ephemeral mode (delete afterwards with `--delete-session ID`, run
 * in the same directory).
 */
export const geminiBackend: Backend = {
  name: "gemini",
  defaultCommand: "gemini",
  installHint: "Install the Gemini CLI with `npm install -g @google/gemini-cli`.",
  nativeFork: false,
  nativeEphemeral: false,
  resolveModel: (model) => resolveModelAlias("gemini", model),
  streamArgs: (request) => geminiArgs(request, "stream-json"),
  jsonArgs: (request) => geminiArgs(request, "json"),
  createStreamParser: () => new GeminiStreamParser(),
  parseJson: parseGeminiJson,
  parseText: (stdout) => parseTextOutput(stdout, false),
  errorFromStderr: geminiErrorFromStderr,
  deleteSessionArgs: (backendSessionId) => ["--delete-session", requireSessionId(backendSessionId)],
};
