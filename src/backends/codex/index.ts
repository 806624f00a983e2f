/**
 * The Codex CLI (`codex exec`) plug-in. New: `codex exec --json P`; resume: `codex exec resume
 * --json ID P`; fork: `codex exec fork --json ID P`; ephemeral: `--ephemeral`. The model is not
 * reported (clinvk records the one it asked for, or the one Codex's config names) and usage is
 * cumulative over the thread. No system prompt flag: a marked preamble.
 * @module
 */
import { resolveModelAlias } from "../shared/models.ts";
import type { Backend, ModelAlias } from "../types.ts";
import { codexArgs } from "./argv.ts";
import { classifyCodexError, codexErrorFromStderr } from "./errors.ts";
import { isInsideGitRepo } from "./git.ts";
import { codexConfiguredModel } from "./model.ts";
import { CodexStreamParser } from "./stream.ts";
import { codexTranscriptPath } from "./transcript.ts";

/**
 * Codex CLI has no aliases. `gpt-5.5` is the default Codex 0.169 reports in its text-mode
 * header (samples/codex/text.stderr), so it is `balanced`; `gpt-5.6-sol` is the newer model the
 * samples select explicitly (samples/index.jsonl, explicit-model), so it is `best`;
 * `gpt-5.5-mini` is the small sibling of the default for `fast`.
 */
export const CODEX_MODELS: Readonly<Record<ModelAlias, string>> = {
  fast: "gpt-5.5-mini",
  balanced: "gpt-5.5",
  best: "gpt-5.6-sol",
};

/** Codex CLI. */
export const codexBackend: Backend = {
  name: "codex",
  label: "Codex CLI",
  kind: "builtin",
  models: CODEX_MODELS,
  defaultCommand: "codex",
  installHint: "Install the Codex CLI with `npm install -g @openai/codex`.",
  canResume: true,
  fork: "native",
  ephemeral: "native",
  resolveModel: (model) => resolveModelAlias(CODEX_MODELS, model),
  turnArgs: async (request, context) =>
    codexArgs(request, { insideGitRepo: await isInsideGitRepo(context.fs, context.workdir) }),
  interactiveArgs: (backendSessionId) => ["resume", backendSessionId],
  createStreamParser: () => new CodexStreamParser(),
  errorFromStderr: codexErrorFromStderr,
  classifyError: classifyCodexError,
  defaultModel: (context) => codexConfiguredModel(context.fs, context.env),
  transcriptPath: codexTranscriptPath,
};
