/**
 * Shell completion scripts for bash, zsh and fish, generated from the command tree.
 * @module
 */
import type { CommandNode } from "./command_tree.ts";

/** Shells `clinvk completions` supports. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
/** A supported shell. */
export type Shell = typeof SHELLS[number];

function words(list: string[]): string {
  return list.join(" ");
}

/** A bash script; `source <(clinvk completions bash)`. */
export function bashScript(nodes: CommandNode[]): string {
  const cases = nodes.map((node) => {
    const valueCases = Object.entries(node.flagValues)
      .map(([flag, values]) =>
        `        ${flag}) COMPREPLY=($(compgen -W "${words(values)}" -- "$cur")); return;;`
      )
      .join("\n");
    return `    "${node.path}")
      case "$prev" in
${valueCases}
      esac
      COMPREPLY=($(compgen -W "${words([...node.subcommands, ...node.flags])}" -- "$cur"));;`;
  }).join("\n");
  const paths = nodes.map((n) => `"${n.path}"`).join(" ");
  return `# bash completion for clinvk
_clinvk() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" word i
  local known=(${paths})
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    local candidate="\${path:+$path }$word"
    for k in "\${known[@]}"; do [[ "$k" == "$candidate" ]] && path="$candidate"; done
  done
  case "$path" in
${cases}
  esac
}
complete -o default -F _clinvk clinvk
`;
}

/** A zsh script; `source <(clinvk completions zsh)`. */
export function zshScript(nodes: CommandNode[]): string {
  return `#compdef clinvk
# zsh completion for clinvk
${bashScript(nodes).replace("# bash completion for clinvk\n", "")}`.replace(
    /^/,
    "autoload -U +X bashcompinit && bashcompinit\n",
  );
}

/** A fish script; `clinvk completions fish > ~/.config/fish/completions/clinvk.fish`. */
export function fishScript(nodes: CommandNode[]): string {
  const lines = ["# fish completion for clinvk", "complete -c clinvk -f"];
  for (const node of nodes) {
    const parts = node.path ? node.path.split(" ") : [];
    const condition = parts.length === 0
      ? "__fish_use_subcommand"
      : `__fish_seen_subcommand_from ${parts.at(-1)}`;
    for (const sub of node.subcommands) {
      lines.push(`complete -c clinvk -n '${condition}' -a ${sub}`);
    }
    for (const flag of node.flags) {
      const values = node.flagValues[flag];
      const option = flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
      const args = values === undefined
        ? ""
        : values.length > 0
        ? ` -x -a '${words(values)}'`
        : " -r";
      lines.push(`complete -c clinvk -n '${condition}' ${option}${args}`);
    }
  }
  return lines.join("\n") + "\n";
}
