/**
 * The Gemini CLI (`gemini`) plug-in. New: `gemini -p P`; resume: `--resume ID`. No native fork
 * (clinvk copies the chat file, see `fork.ts`), no "don't persist" flag (clinvk removes the
 * session's own chat files afterwards, see `tidy.ts`), no system prompt flag (a marked
 * preamble). After every turn clinvk removes the message-less duplicate Gemini may leave, and
 * records no session id Gemini never saved.
 * @module
 */
import { resolveModelAlias } from "../shared/models.ts";
import type { Backend, ModelAlias } from "../types.ts";
import { geminiArgs } from "./argv.ts";
import { geminiHome } from "./chats.ts";
import { classifyGeminiError, geminiErrorFromStderr } from "./errors.ts";
import { forkGeminiChat } from "./fork.ts";
import { GeminiStreamParser } from "./stream.ts";
import { forgetGeminiSession, geminiTranscriptPath, tidyGeminiSession } from "./tidy.ts";
import { ClinvkError, ExitCode } from "../../errors.ts";

/** The 2.5 family, whose names the Gemini CLI accepts with `-m` (the samples select `gemini-2.5-pro`). */
export const GEMINI_MODELS: Readonly<Record<ModelAlias, string>> = {
  fast: "gemini-2.5-flash-lite",
  balanced: "gemini-2.5-flash",
  best: "gemini-2.5-pro",
};

/** Gemini CLI. */
export const geminiBackend: Backend = {
  name: "gemini",
  label: "Gemini CLI",
  kind: "builtin",
  models: GEMINI_MODELS,
  defaultCommand: "gemini",
  installHint: "Install the Gemini CLI with `npm install -g @google/gemini-cli`.",
  canResume: true,
  fork: "copy",
  ephemeral: "forget",
  resolveModel: (model) => resolveModelAlias(GEMINI_MODELS, model),
  turnArgs: (request) => new Promise((resolve) => resolve(geminiArgs(request))),
  interactiveArgs: (backendSessionId) => ["--resume", backendSessionId],
  createStreamParser: () => new GeminiStreamParser(),
  errorFromStderr: geminiErrorFromStderr,
  classifyError: classifyGeminiError,
  async copyFork(context, parentId) {
    const home = geminiHome(context.env);
    if (!home) {
      throw new ClinvkError(
        "Cannot fork the Gemini session: neither GEMINI_CLI_HOME nor HOME is set",
        ExitCode.Usage,
      );
    }
    const newId = crypto.randomUUID();
    await forkGeminiChat({
      fs: context.fs,
      geminiHome: home,
      workdir: context.workdir,
      parentId,
      newId,
      now: context.clock.now(),
    });
    return newId;
  },
  forget: forgetGeminiSession,
  afterTurn: tidyGeminiSession,
  transcriptPath: geminiTranscriptPath,
};
