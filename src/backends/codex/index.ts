/**
 * The Codex CLI (`codex exec`) adapter.
 * @module
 */
import { codexArgs } from "./argv.ts";
import { CodexStreamParser } from "./stream.ts";
import { MODEL_ALIAS_TABLE, resolveModelAlias } from "../models.ts";
import { classifyCodexError, codexErrorFromStderr } from "./errors.ts";
import { parseTextOutput } from "../text_result.ts";
import type { Backend, TurnResult } from "../types.ts";

/**
 * Parses the complete JSONL output of `codex exec --json`. When Codex fails before its first
 * event (bad resume id, outside a git repo) stdout is empty and the error is on stderr; when
 * the turn never ended, stderr may say why.
 */
export function parseCodexJson(stdout: string, stderr: string): TurnResult {
  const parser = new CodexStreamParser();
  for (const line of stdout.split("\n")) parser.push(line);
  const result = parser.result();
  if (!parser.finished) {
    result.error ??= codexErrorFromStderr(stderr) ??
      (parser.sawEvent ? undefined : "Codex printed no events");
  }
  return result;
}

/**
 * Codex CLI. New: `codex exec --json P`; resume: `codex exec resume --json ID P`; fork:
 * `codex exec fork --json ID P`; ephemeral: `--ephemeral`. The model is not reported (the
 * caller records the one it asked for) and usage is cumulative over the thread.
 */
export const codexBackend: Backend = {
  name: "codex",
  label: "Codex CLI",
  models: MODEL_ALIAS_TABLE.codex,
  defaultCommand: "codex",
  installHint: "Install the Codex CLI with `npm install -g @openai/codex`.",
  nativeFork: true,
  nativeEphemeral: true,
  resolveModel: (model) => resolveModelAlias("codex", model),
  streamArgs: codexArgs,
  jsonArgs: codexArgs,
  createStreamParser: () => new CodexStreamParser(),
  parseJson: parseCodexJson,
  parseText: (stdout) => parseTextOutput(stdout, true),
  errorFromStderr: codexErrorFromStderr,
  classifyError: classifyCodexError,
};
