/**
 * `clinvk completions bash|zsh|fish`.
 * @module
 */
import { buildChoiceParser, buildCommand, type CommandContext, type RouteMap } from "@stricli/core";
import { BACKEND_NAMES } from "../../backends/types.ts";
import { OUTPUT_FORMATS } from "../../config/schema.ts";
import { SESSION_STATUSES } from "../../sessions/record.ts";
import type { AppContext } from "../context.ts";
import { commandTree } from "./command_tree.ts";
import { bashScript, fishScript, type Shell, SHELLS, zshScript } from "./scripts.ts";

const FLAG_VALUES = {
  backend: [...BACKEND_NAMES],
  outputFormat: [...OUTPUT_FORMATS],
  status: [...SESSION_STATUSES],
};

/** Builds the command; `root` is passed lazily because the command is part of the tree. */
export function completionsCommand(root: () => RouteMap<AppContext>) {
  return buildCommand({
    func(this: AppContext, _flags: Record<never, never>, shell: Shell) {
      const nodes = commandTree(root() as unknown as RouteMap<CommandContext>, FLAG_VALUES);
      const render = { bash: bashScript, zsh: zshScript, fish: fishScript }[shell];
      this.platform.stdout.write(render(nodes));
    },
    parameters: {
      positional: {
        kind: "tuple",
        parameters: [{
          brief: "bash, zsh or fish",
          parse: buildChoiceParser(SHELLS),
          placeholder: "shell",
        }],
      },
    },
    docs: {
      brief: "Print a shell completion script",
      fullDescription: [
        "bash:  source <(clinvk completions bash)     (or add it to ~/.bashrc)",
        "zsh:   source <(clinvk completions zsh)      (or add it to ~/.zshrc)",
        "fish:  clinvk completions fish > ~/.config/fish/completions/clinvk.fish",
      ].join("\n"),
    },
  });
}
