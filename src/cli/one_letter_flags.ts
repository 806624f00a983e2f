/**
 * One-letter flags may be written with two dashes: `--n 3` is `-n 3` (as `clinvk compare --n K`
 * is documented). stricli reads `--name` only for names of two letters or more, so without this
 * step `--n` would reach the command as a word of the prompt. Before parsing, `--x` and
 * `--x=value` become `-x` and `-x=value` when `x` is an alias of the command being run; a word
 * that is a flag's value, an unknown letter, and every word after `--` are left as they are
 * (`clinvk compare --backends a,b -- explain --n` sends "explain --n").
 * @module
 */
import type { Command, CommandContext, RouteMap } from "@stricli/core";

interface FlagSpec {
  kind?: string;
}

function isCommand(target: unknown): target is Command<CommandContext> {
  return typeof target === "object" && target !== null && "usesFlag" in target;
}

/** The command `args` run and how many words name it (0 for the default command). */
function commandOf(
  args: readonly string[],
  root: RouteMap<CommandContext>,
): { command: Command<CommandContext>; pathLength: number } | undefined {
  let target: Command<CommandContext> | RouteMap<CommandContext> | undefined = root;
  let index = 0;
  while (target !== undefined && !isCommand(target)) {
    const word = args[index];
    const next: Command<CommandContext> | RouteMap<CommandContext> | undefined =
      word === undefined || word.startsWith("-")
        ? undefined
        : target.getRoutingTargetForInput(word);
    if (next === undefined) {
      return index === 0 && root.getDefaultCommand()
        ? { command: root.getDefaultCommand()!, pathLength: 0 }
        : undefined;
    }
    target = next;
    index++;
  }
  return target === undefined ? undefined : { command: target, pathLength: index };
}

/** `args` with the command's one-letter flags that were typed `--x` spelled `-x`. */
export function spellOneLetterFlags<C extends CommandContext>(
  args: readonly string[],
  routes: RouteMap<C>,
): string[] {
  const found = commandOf(args, routes as unknown as RouteMap<CommandContext>);
  if (!found) return [...args];
  const flags = (found.command.parameters.flags ?? {}) as Record<string, FlagSpec>;
  const aliases = (found.command.parameters.aliases ?? {}) as Record<string, string>;
  const takesValue = (name: string | undefined) =>
    name !== undefined && (flags[name]?.kind === "parsed" || flags[name]?.kind === "enum");
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const out = [...args];
  for (let i = found.pathLength; i < out.length; i++) {
    const arg = out[i]!;
    if (arg === "--") break;
    const oneLetter = /^--([a-zA-Z])(=.*)?$/.exec(arg);
    if (oneLetter && Object.hasOwn(aliases, oneLetter[1]!)) {
      out[i] = `-${oneLetter[1]}${oneLetter[2] ?? ""}`;
    }
    // The word after a flag that takes a value is that value, whatever it looks like.
    const long = /^--([^=]+)$/.exec(out[i]!);
    const short = /^-([a-zA-Z])$/.exec(out[i]!);
    if ((long && takesValue(camel(long[1]!))) || (short && takesValue(aliases[short[1]!]))) i++;
  }
  return out;
}
