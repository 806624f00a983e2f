/**
 * `clinvk [prompt]`: run a prompt in a new session, or continue the latest one with `-c`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import { resolveWorkdir } from "../turns/workdir.ts";
import type { AppContext } from "./context.ts";
import { readPrompt } from "./prompt_input.ts";
import { loadAppConfig, openStore } from "./services.ts";
import { backendFlag, turnAliases, type TurnFlags, turnFlags } from "./shared_flags.ts";
import { buildTurnSetup, checkBackendFilter, runTurnCommand } from "./turn_flow.ts";
import type { BackendName } from "../backends/types.ts";

/** Flags of the root command. */
export interface PromptFlags extends TurnFlags {
  backend?: BackendName;
  workdir?: string;
  ephemeral?: boolean;
  continue?: boolean;
}

async function promptCommand(
  this: AppContext,
  flags: PromptFlags,
  ...words: string[]
): Promise<void> {
  if (flags.ephemeral && flags.continue) {
    throw usageError(
      "--ephemeral and -c/--continue cannot be combined",
      "An ephemeral run keeps no session to continue; drop one of them.",
    );
  }
  const prompt = await readPrompt(words, this.platform.stdin);
  if (prompt === undefined) {
    throw usageError(
      "No prompt given",
      'Pass one (clinvk "fix the bug"), pipe it on stdin, or run "clinvk --help".',
    );
  }
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  if (flags.continue) {
    checkBackendFilter(config, flags.backend);
    const [latest] = await store.list({
      resumable: true,
      limit: 1,
      backend: flags.backend,
    });
    if (!latest) {
      throw new ClinvkError(
        `No session to continue${flags.backend ? ` for ${flags.backend}` : ""}`,
        ExitCode.SessionNotFound,
        'Start one with clinvk "your prompt".',
      );
    }
    // The session's backend decides the settings (its model, not the default backend's).
    const setup = buildTurnSetup(this, config, flags, latest.backend);
    await runTurnCommand(this, setup, { kind: "resume", sessionId: latest.id }, prompt, store);
    return;
  }
  const workdir = await resolveWorkdir(this.platform.fs, this.platform.cwd(), flags.workdir);
  const setup = buildTurnSetup(this, config, flags);
  const backend = setup.backend;
  const target = flags.ephemeral
    ? { kind: "ephemeral" as const, backend, workdir }
    : { kind: "new" as const, backend, workdir };
  await runTurnCommand(this, setup, target, prompt, store);
}

/** The root command. */
export const promptCommandSpec = buildCommand({
  func: promptCommand,
  parameters: {
    flags: {
      backend: backendFlag,
      workdir: {
        kind: "parsed",
        parse: String,
        brief: "Directory the backend works in (default: the current one)",
        placeholder: "dir",
        optional: true,
      },
      ephemeral: {
        kind: "boolean",
        brief: "Record no session; ask the backend to keep nothing either",
        optional: true,
      },
      continue: {
        kind: "boolean",
        brief: "Continue the most recent resumable session (any directory)",
        optional: true,
      },
      ...turnFlags,
    },
    aliases: { b: "backend", w: "workdir", c: "continue", ...turnAliases },
    positional: {
      kind: "array",
      parameter: {
        brief: "The prompt (or pipe it on stdin)",
        parse: String,
        placeholder: "prompt",
      },
    },
  },
  docs: {
    brief: "Run a prompt on claude, codex, gemini or a custom backend",
    fullDescription: [
      "Runs the prompt on the selected backend in a new session (or the latest one with -c)",
      "and prints the answer. Every plain call starts a new session; see `clinvk sessions`.",
    ].join("\n"),
  },
});
