/**
 * The Codex CLI (`codex exec`) adapter.
 * @module
 */
import { codexArgs } from "./codex_args.ts";
import { CodexStreamParser } from "./codex_stream.ts";
import { resolveModelAlias } from "./models.ts";
import { errorLine, type NoiseRules } from "./stderr_noise.ts";
import { parseTextOutput } from "./text_result.ts";
import type { Backend, TurnResult } from "./types.ts";

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
};
