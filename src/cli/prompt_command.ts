/**
 * `clinvk [prompt]`: run a prompt in a new session, or continue the latest one with `-c`. Its
 * flags and help; what it does is in `prompt_run.ts`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { BackendName } from "../backends/types.ts";
import type { AppContext } from "./context.ts";
import { backendFlag, turnAliases, type TurnFlags, turnFlags } from "./shared_flags.ts";

/** Flags of the root command. */
export interface PromptFlags extends TurnFlags {
  backend?: BackendName;
  workdir?: string;
  ephemeral?: boolean;
  continue?: boolean;
}

/** The root command. */
export const promptCommandSpec = buildCommand<PromptFlags, string[], AppContext>({
  // The turn engine loads only when a prompt runs: `clinvk version` and `--help` stay light.
  loader: async () => (await import("./prompt_run.ts")).promptCommand,
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
