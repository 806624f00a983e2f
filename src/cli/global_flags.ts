/**
 * Flags typed before a command name (`clinvk --config ci.yaml sessions list`). The prompt
 * command is the default route, so without this step those words would become a paid prompt
 * ("sessions list"). Here the leading flags are moved after the command when that command
 * takes every one of them with the same meaning; otherwise the run is refused with a line that
 * says how to send the words as a prompt. Everything is derived from the route map, so a new
 * command or flag needs no change here.
 * @module
 */
import type { Command, CommandContext, RouteMap } from "@stricli/core";
import { shellQuote } from "../output/shell_quote.ts";

type RoutingTarget<C extends CommandContext> = Command<C> | RouteMap<C>;

/** What {@linkcode placeLeadingFlags} decided. */
export type Placement =
  | { kind: "args"; args: string[] }
  | { kind: "refuse"; message: string; hint: string };

interface FlagSpec {
  kind?: string;
}

interface LeadingFlag {
  /** The arguments as typed (`-b codex`, `--config=x`, `--ephemeral`). */
  args: string[];
  /** The internal (camelCase) flag names they set. */
  names: string[];
  /** How it was typed, for messages. */
  shown: string;
  /** Whether it was typed as a one-letter alias (then the alias must mean the same). */
  aliases: string[];
}

function flagsOf(command: Command<CommandContext>): Record<string, FlagSpec> {
  return (command.parameters.flags ?? {}) as Record<string, FlagSpec>;
}

function aliasesOf(command: Command<CommandContext>): Record<string, string> {
  return (command.parameters.aliases ?? {}) as Record<string, string>;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The flag named `--name` (or `--no-name` for a boolean) on `command`, if any. */
function longFlag(command: Command<CommandContext>, name: string): string | undefined {
  const flags = flagsOf(command);
  for (const candidate of [name, camel(name)]) {
    if (Object.hasOwn(flags, candidate)) return candidate;
  }
  if (name.startsWith("no-")) {
    const positive = longFlag(command, name.slice(3));
    if (positive !== undefined && flagsOf(command)[positive]!.kind === "boolean") return positive;
  }
  return undefined;
}

const takesValue = (spec: FlagSpec | undefined) => spec?.kind === "parsed" || spec?.kind === "enum";

/**
 * Reads one flag of the default command at `args[index]`; `undefined` when it is not one
 * (then stricli reports it as it always has).
 */
function readFlag(
  command: Command<CommandContext>,
  args: readonly string[],
  index: number,
): LeadingFlag | undefined {
  const arg = args[index]!;
  const flags = flagsOf(command);
  const withValue = /^--([^=]+)=/.exec(arg) ?? /^-([a-zA-Z])=/.exec(arg);
  if (withValue) {
    const isAlias = !arg.startsWith("--");
    const name = isAlias ? aliasesOf(command)[withValue[1]!] : longFlag(command, withValue[1]!);
    if (name === undefined) return undefined;
    return { args: [arg], names: [name], shown: arg, aliases: isAlias ? [withValue[1]!] : [] };
  }
  const long = /^--(.+)$/.exec(arg);
  if (long) {
    const name = longFlag(command, long[1]!);
    if (name === undefined) return undefined;
    const value = takesValue(flags[name]) ? args[index + 1] : undefined;
    if (takesValue(flags[name]) && value === undefined) return undefined;
    return {
      args: value === undefined ? [arg] : [arg, value],
      names: [name],
      shown: arg,
      aliases: [],
    };
  }
  const short = /^-([a-zA-Z]+)$/.exec(arg);
  if (!short) return undefined;
  const letters = [...short[1]!];
  const names = letters.map((letter) => aliasesOf(command)[letter]);
  if (names.some((name) => name === undefined)) return undefined;
  const valued = names.filter((name) => takesValue(flags[name!]));
  // `-bcodex` is not a form stricli accepts; `-b codex` takes the next word.
  if (valued.length > 1 || (valued.length === 1 && letters.length > 1)) return undefined;
  const value = valued.length === 1 ? args[index + 1] : undefined;
  if (valued.length === 1 && value === undefined) return undefined;
  return {
    args: value === undefined ? [arg] : [arg, value],
    names: names as string[],
    shown: arg,
    aliases: letters,
  };
}

/** Whether `target` takes `flag` with the same meaning and the same need for a value. */
function accepts(
  target: Command<CommandContext>,
  source: Command<CommandContext>,
  flag: LeadingFlag,
): boolean {
  const sourceFlags = flagsOf(source);
  const targetFlags = flagsOf(target);
  const sameKinds = flag.names.every((name) =>
    Object.hasOwn(targetFlags, name) && targetFlags[name]!.kind === sourceFlags[name]!.kind
  );
  const sameAliases = flag.aliases.every((letter) =>
    aliasesOf(target)[letter] === aliasesOf(source)[letter]
  );
  return sameKinds && sameAliases;
}

function isCommand(
  target: RoutingTarget<CommandContext> | undefined,
): target is Command<CommandContext> {
  return target !== undefined && "usesFlag" in target;
}

/**
 * Decides what to run for `args`. When the first word after leading flags of the default
 * command names a route, the flags are moved after the command (`-b codex sessions list` runs
 * `sessions list -b codex`) if it takes them all; otherwise the run is refused. `--` ends the
 * search: `clinvk -b codex -- sessions list` sends "sessions list" as a prompt.
 */
export function placeLeadingFlags<C extends CommandContext>(
  args: readonly string[],
  routes: RouteMap<C>,
): Placement {
  const root = routes as unknown as RouteMap<CommandContext>;
  const fallback = root.getDefaultCommand();
  const unchanged: Placement = { kind: "args", args: [...args] };
  if (fallback === undefined) return unchanged;
  const leading: LeadingFlag[] = [];
  let index = 0;
  while (index < args.length && args[index]!.startsWith("-")) {
    if (args[index] === "--") return unchanged;
    const flag = readFlag(fallback, args, index);
    if (flag === undefined) return unchanged;
    leading.push(flag);
    index += flag.args.length;
  }
  if (leading.length === 0 || index >= args.length) return unchanged;
  let target = root.getRoutingTargetForInput(args[index]!);
  if (target === undefined) return unchanged;
  const path = [args[index]!];
  index++;
  while (target !== undefined && !isCommand(target)) {
    const next = args[index];
    target = next === undefined ? undefined : target.getRoutingTargetForInput(next);
    if (target !== undefined) {
      path.push(next!);
      index++;
    }
  }
  const flags = leading.flatMap((flag) => flag.args);
  const words = args.slice(flags.length);
  const asPrompt = `\`clinvk ${[...flags, "--", words.join(" ")].map(shellQuote).join(" ")}\``;
  if (target === undefined) {
    return {
      kind: "refuse",
      message: `"${words[0]}" is a clinvk command, so "${
        words.join(" ")
      }" was not sent as a prompt`,
      hint: `Run \`clinvk ${
        words[0]
      } --help\` for its commands, or send the words as a prompt: ${asPrompt}`,
    };
  }
  const refused = leading.find((flag) => !accepts(target, fallback, flag));
  if (refused !== undefined) {
    return {
      kind: "refuse",
      message: `"clinvk ${path.join(" ")}" does not take ${refused.shown}, and "${
        words.join(" ")
      }" was not sent as a prompt`,
      hint: `Put the command first (\`clinvk ${
        path.join(" ")
      } --help\` lists its flags), or send the words as a prompt: ${asPrompt}`,
    };
  }
  return { kind: "args", args: [...path, ...flags, ...args.slice(index)] };
}
