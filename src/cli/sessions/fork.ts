/**
 * `clinvk sessions fork <id> [prompt]`: a new session that carries the original's backend
 * context; the original is untouched and both resume independently.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { AppContext } from "../context.ts";
import { turnAliases, type TurnFlags, turnFlags } from "../shared_flags.ts";

/** `sessions fork`. */
export const forkCommand = buildCommand<TurnFlags, string[], AppContext>({
  loader: async () => (await import("./fork_run.ts")).fork,
  parameters: {
    flags: turnFlags,
    aliases: turnAliases,
    positional: {
      kind: "array",
      parameter: {
        brief: "Session id (or unique prefix), then an optional prompt for the fork",
        parse: String,
        placeholder: "id-and-prompt",
      },
      minimum: 1,
    },
  },
  docs: { brief: "Fork a session: a new session with the original's context" },
});
