/**
 * `clinvk resume [--last | <id> | --interactive] [prompt]`: continue an earlier session, in the
 * directory it was started in. Its flags and help; what it does is in `resume_run.ts`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { BackendName } from "../backends/types.ts";
import type { AppContext } from "./context.ts";
import { backendFlag, turnAliases, type TurnFlags, turnFlags } from "./shared_flags.ts";

/** Flags of `resume`. */
export interface ResumeFlags extends TurnFlags {
  last?: boolean;
  interactive?: boolean;
  here?: boolean;
  backend?: BackendName;
}

/** `clinvk resume`. */
export const resumeCommandSpec = buildCommand<ResumeFlags, string[], AppContext>({
  loader: async () => (await import("./resume_run.ts")).resumeCommand,
  parameters: {
    flags: {
      last: { kind: "boolean", brief: "Resume the most recent resumable session", optional: true },
      interactive: {
        kind: "boolean",
        brief: "Pick a session from a list (the default without an id)",
        optional: true,
      },
      here: {
        kind: "boolean",
        brief: "Only sessions started in the current directory",
        optional: true,
      },
      backend: { ...backendFlag, brief: "Only sessions of this backend" },
      ...turnFlags,
    },
    aliases: { l: "last", i: "interactive", b: "backend", ...turnAliases },
    positional: {
      kind: "array",
      parameter: {
        brief: "Session id (or unique prefix), then an optional follow-up prompt",
        parse: String,
        placeholder: "id-and-prompt",
      },
    },
  },
  docs: {
    brief: "Resume a session (by id, --last, or a picker)",
    fullDescription: [
      "Continues an earlier session in the directory it was started in.",
      "  clinvk resume --last [prompt]     most recent resumable session",
      "  clinvk resume <id> [prompt]       by id or unique prefix",
      "  clinvk resume [--interactive]     pick from recent sessions (needs a terminal)",
      "Filters: --here (current directory), --backend B. Without a prompt on a terminal, the",
      "backend's own interactive mode continues the conversation.",
    ].join("\n"),
  },
});
