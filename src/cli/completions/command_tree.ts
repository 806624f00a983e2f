/**
 * The command tree as plain data — command paths, their subcommands and flags — read from the
 * stricli route map, so completions can never drift from the real commands.
 * @module
 */
import type { Command, CommandContext, RouteMap } from "@stricli/core";

type RoutingTarget<C extends CommandContext> = Command<C> | RouteMap<C>;

/** One node of the tree. `path` is "" for the root, else e.g. "sessions list". */
export interface CommandNode {
  path: string;
  brief: string;
  subcommands: string[];
  /** Long flags with their leading dashes, e.g. `--output-format`; short ones like `-o`. */
  flags: string[];
  /** Flags that take a value, mapped to the values to offer (empty: free text). */
  flagValues: Record<string, string[]>;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

function isRouteMap<C extends CommandContext>(target: RoutingTarget<C>): target is RouteMap<C> {
  return "getAllEntries" in target;
}

function commandFlags(command: Command<CommandContext>, values: Record<string, string[]>) {
  const params = command.parameters as {
    flags?: Record<string, { kind: string }>;
    aliases?: Record<string, string>;
  };
  const flags: string[] = ["--help"];
  const flagValues: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(params.flags ?? {})) {
    const long = `--${kebab(name)}`;
    flags.push(long);
    if (spec.kind !== "boolean") flagValues[long] = values[name] ?? [];
  }
  for (const [alias, name] of Object.entries(params.aliases ?? {})) {
    const short = `-${alias}`;
    flags.push(short);
    const long = `--${kebab(name)}`;
    if (long in flagValues) flagValues[short] = flagValues[long]!;
  }
  return { flags, flagValues };
}

/**
 * Flattens the route map into nodes. `values` maps flag names (as declared, camelCase) to the
 * fixed values to complete, e.g. `{ backend: [...BACKEND_NAMES] }`.
 */
export function commandTree(
  root: RouteMap<CommandContext>,
  values: Record<string, string[]>,
): CommandNode[] {
  const nodes: CommandNode[] = [];
  const visit = (target: RoutingTarget<CommandContext>, path: string) => {
    if (!isRouteMap(target)) {
      nodes.push({ path, brief: target.brief, subcommands: [], ...commandFlags(target, values) });
      return;
    }
    const entries = target.getAllEntries().filter((entry) => !entry.hidden);
    const fallback = target.getDefaultCommand();
    const own = fallback ? commandFlags(fallback, values) : { flags: ["--help"], flagValues: {} };
    nodes.push({
      path,
      brief: target.brief,
      subcommands: entries.map((entry) => entry.name.original),
      ...own,
    });
    for (const entry of entries) {
      if (entry.target === fallback) continue;
      visit(entry.target, path ? `${path} ${entry.name.original}` : entry.name.original);
    }
  };
  visit(root, "");
  return nodes;
}
