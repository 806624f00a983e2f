/**
 * The Claude Code (`claude`) adapter.
 * @module
 */
import { claudeArgs } from "./argv.ts";
import { ClaudeStreamParser } from "./stream.ts";
import { asArray, asObject, type JsonObject, parseJsonLine } from "../shared/json_value.ts";
import { MODEL_ALIAS_TABLE, resolveModelAlias } from "../models.ts";
import { classifyClaudeError, claudeErrorFromStderr } from "./errors.ts";
import { parseTextOutput } from "../text_result.ts";
import type { Backend, TurnResult } from "../types.ts";

/**
 * Parses `claude -p P --output-format json`: one `result` object. With `--verbose` (e.g. from
 * `extra_args`) Claude prints an array of every message instead; both are accepted. When
 * stdout has no result (a bad `--resume` id exits 1 with stdout empty), the error comes from
 * stderr.
 */
export function parseClaudeJson(stdout: string, stderr: string): TurnResult {
  const parser = new ClaudeStreamParser();
  for (const message of claudeMessages(stdout)) parser.pushMessage(message);
  const result = parser.result();
  if (!parser.sawResult) {
    result.error ??= claudeErrorFromStderr(stderr) ?? "Claude Code printed no result";
  }
  return result;
}

function claudeMessages(stdout: string): JsonObject[] {
  const text = stdout.trim();
  if (text === "") return [];
  try {
    const parsed: unknown = JSON.parse(text);
    const list = asArray(parsed) ?? [parsed];
    return list.map((item) => asObject(item)).filter((m) => m !== undefined);
  } catch {
    // Not one JSON document: read it as JSON lines, skipping anything else.
    return text.split("\n").map(parseJsonLine).filter((m) => m !== undefined);
  }
}

/**
 * Claude Code. New: `claude -p P`; resume: `--resume ID`; fork: `--resume ID --fork-session`;
 * ephemeral: `--no-session-persistence`. See samples/README.md.
 */
export const claudeBackend: Backend = {
  name: "claude",
  label: "Claude Code",
  models: MODEL_ALIAS_TABLE.claude,
  defaultCommand: "claude",
  installHint: "Install Claude Code with `npm install -g @anthropic-ai/claude-code`.",
  nativeFork: true,
  nativeEphemeral: true,
  resolveModel: (model) => resolveModelAlias("claude", model),
  streamArgs: (request) => claudeArgs(request, "stream-json"),
  jsonArgs: (request) => claudeArgs(request, "json"),
  createStreamParser: () => new ClaudeStreamParser(),
  parseJson: parseClaudeJson,
  parseText: (stdout) => parseTextOutput(stdout, false),
  errorFromStderr: claudeErrorFromStderr,
  classifyError: classifyClaudeError,
};
