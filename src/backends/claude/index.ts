/**
 * The Claude Code (`claude`) plug-in. New: `claude -p P`; resume: `--resume ID`; fork:
 * `--resume ID --fork-session`; ephemeral: `--no-session-persistence`; system prompt:
 * `--append-system-prompt`. See samples/README.md.
 * @module
 */
import { resolveModelAlias } from "../shared/models.ts";
import type { Backend, ModelAlias } from "../types.ts";
import { claudeArgs } from "./argv.ts";
import { classifyClaudeError, claudeErrorFromStderr } from "./errors.ts";
import { ClaudeStreamParser } from "./stream.ts";
import { claudeTranscriptPath } from "./transcript.ts";

/**
 * Claude Code's own aliases (`haiku`, `sonnet`, `opus`, see `claude --help` `--model`), which
 * always point at the latest model of each family, so this table does not go stale when
 * Anthropic ships a new version.
 */
export const CLAUDE_MODELS: Readonly<Record<ModelAlias, string>> = {
  fast: "haiku",
  balanced: "sonnet",
  best: "opus",
};

/** Claude Code. */
export const claudeBackend: Backend = {
  name: "claude",
  label: "Claude Code",
  kind: "builtin",
  models: CLAUDE_MODELS,
  defaultCommand: "claude",
  installHint: "Install Claude Code with `npm install -g @anthropic-ai/claude-code`.",
  canResume: true,
  fork: "native",
  ephemeral: "native",
  resolveModel: (model) => resolveModelAlias(CLAUDE_MODELS, model),
  // A setting it refuses rejects the promise, like any other failure of the call.
  turnArgs: (request) => new Promise((resolve) => resolve(claudeArgs(request))),
  interactiveArgs: (backendSessionId) => ["--resume", backendSessionId],
  createStreamParser: () => new ClaudeStreamParser(),
  errorFromStderr: claudeErrorFromStderr,
  classifyError: classifyClaudeError,
  transcriptPath: claudeTranscriptPath,
};
