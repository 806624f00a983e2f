/**
 * The Gemini CLI (`gemini`) adapter.
 * @module
 */
import { requireSessionId } from "../shared/argv_checks.ts";
import { geminiArgs } from "./argv.ts";
import { geminiJsonStats } from "./stats.ts";
import { GeminiStreamParser } from "./stream.ts";
import { asNonEmptyString, asString } from "../shared/json_value.ts";
import { MODEL_ALIAS_TABLE, resolveModelAlias } from "../models.ts";
import { classifyGeminiError, geminiErrorFromStderr, lastReport, reportError } from "./errors.ts";
import { parseTextOutput } from "../text_result.ts";
import type { Backend, TurnResult } from "../types.ts";

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

/**
 * Gemini CLI. New: `gemini -p P`; resume: `--resume ID`. No native fork (see
 * `forkGeminiChat`) and no ephemeral mode (delete afterwards with `--delete-session ID`, run
 * in the same directory).
 */
export const geminiBackend: Backend = {
  name: "gemini",
  label: "Gemini CLI",
  models: MODEL_ALIAS_TABLE.gemini,
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
  classifyError: classifyGeminiError,
  deleteSessionArgs: (backendSessionId) => ["--delete-session", requireSessionId(backendSessionId)],
};
