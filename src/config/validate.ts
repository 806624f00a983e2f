/**
 * Parsing config.yaml against the schema, collecting every problem with its `file:line:column`
 * (for `clinvk config validate`) rather than stopping at the first one.
 * @module
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
} from "yaml";
import type { Fs } from "../platform/types.ts";
import { BACKEND_NAMES } from "../backends/types.ts";
import { checkBackendDefinitions } from "./check_backends.ts";
import { checkValue } from "./check_value.ts";
import { readConfigFile } from "./read_config_file.ts";
import {
  BACKEND_NAME_PATTERN,
  type Config,
  defaultConfig,
  isBuiltinBackend,
  type KeyType,
  lookupKey,
  setAtPath,
  withBackendDefaults,
} from "./schema.ts";
import { suggestKey } from "./suggest.ts";

/** One thing wrong with a config file, at a 1-based line and column. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Formats a problem the way compilers do: `file:line:column: message`. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}

/** Result of {@linkcode parseConfigText}. */
export interface ParsedConfig {
  /** Defaults overlaid with every valid value of the file; `${VAR}` not yet expanded. */
  config: Config;
  /** Empty when the file is valid. */
  problems: ConfigProblem[];
}

/** The reason of a yaml parse error without the position and code frame yaml appends. */
function parseErrorReason(message: string): string {
  const firstLine = message.split("\n", 1)[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?$/, "");
}

class Walker {
  readonly problems: ConfigProblem[] = [];
  readonly values: Record<string, unknown> = {};
  /** The key node of every path seen, for problems found after the walk. */
  readonly keys = new Map<string, Node>();
  /** The value node of every valid leaf seen. */
  readonly leaves = new Map<string, Node>();

  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  report(node: Node | null | undefined, fallback: Node | undefined, message: string): void {
    const offset = (node ?? fallback)?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    this.problems.push({ file: this.file, line, column: col, message });
  }

  /** Follows `*alias` references so that anchors work like plain values. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null) ?? null;
  }

  walkMap(map: YAMLMap, prefix: string): void {
    for (const pair of map.items) {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === "object") {
        this.report(keyNode, map, "keys must be plain names");
        continue;
      }
      const name = String(keyNode.value);
      const path = prefix ? `${prefix}.${name}` : name;
      if (name.includes(".")) {
        // `output.format: json` would silently compete with `output: {format: ...}`.
        const parts = name.split(".");
        this.report(
          keyNode,
          map,
          `dotted key "${path}": nest it as "${parts[0]}:" with "${
            parts.slice(1).join(".")
          }:" under it`,
        );
        continue;
      }
      const valueNode = this.resolve(pair.value);
      this.keys.set(path, keyNode);
      const found = lookupKey(path);
      const customOnlyOnBuiltin = found?.kind === "leaf" && found.spec.customOnly &&
        isBuiltinBackend(path.split(".")[1] ?? "");
      if (customOnlyOnBuiltin) {
        this.report(
          keyNode,
          map,
          `"${path}" is only for custom backends; ${path.split(".")[1]} is built in`,
        );
      } else if (found === undefined || found.kind === "map_entry") {
        this.report(keyNode, map, unknownKeyMessage(path));
      } else if (found.kind === "section") {
        // `session:` with nothing under it is an empty section, not an error.
        if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) continue;
        if (isMap(valueNode)) this.walkMap(valueNode, path);
        else this.report(valueNode, keyNode, `expected a mapping of keys under "${path}"`);
      } else {
        this.checkLeaf(path, found.spec.type, keyNode, valueNode);
      }
    }
  }

  checkLeaf(
    path: string,
    type: KeyType,
    keyNode: Node,
    valueNode: Node | null,
  ): void {
    const value = valueNode === null ? null : valueNode.toJS(this.doc);
    // `key:` with no value, or `~`, means "not set": the default applies.
    if (value === null) return;
    const result = checkValue(type, value);
    if (result.ok) {
      setAtPath(this.values, path, result.value);
      if (valueNode) this.leaves.set(path, valueNode);
      return;
    }
    let at: Node | null = valueNode;
    if (result.index !== undefined && isSeq(valueNode)) {
      at = this.resolve(valueNode.items[result.index]) ?? valueNode;
    } else if (result.entry !== undefined && isMap(valueNode)) {
      const pair = valueNode.items.find((p) => isScalar(p.key) && p.key.value === result.entry);
      at = (pair?.value as Node | null) ?? (pair?.key as Node | null) ?? valueNode;
    }
    this.report(at, keyNode, `${path}: ${result.message}`);
  }
}

/** The message for a key the schema does not know, with a suggestion when one is obvious. */
export function unknownKeyMessage(path: string): string {
  const parts = path.split(".");
  if (parts[0] === "backends" && parts.length >= 2 && !BACKEND_NAME_PATTERN.test(parts[1]!)) {
    return `bad backend name "${
      parts[1]
    }" under "backends": use lowercase letters, digits, - and _ ` +
      `(built in: ${BACKEND_NAMES.join(", ")})`;
  }
  const suggestion = suggestKey(path);
  return suggestion
    ? `unknown key "${path}" (did you mean "${suggestion}"?)`
    : `unknown key "${path}"`;
}

/**
 * Parses config text and checks it against the schema. Never throws for bad content: every
 * problem is returned, and valid keys still land in `config` (so `config validate` can list
 * everything at once).
 *
 * @example
 * ```ts
 * const { problems } = parseConfigText("session:\n  retension_days: 3\n", "config.yaml");
 * formatProblem(problems[0]!);
 * // 'config.yaml:2:3: unknown key "session.retension_days" (did you mean "session.retention_days"?)'
 * ```
 */
export function parseConfigText(text: string, file: string): ParsedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const walker = new Walker(file, doc, lines);
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      walker.problems.push({ file, line, column: col, message: parseErrorReason(error.message) });
    }
  } else {
    const root = walker.resolve(doc.contents);
    if (isMap(root)) {
      walker.walkMap(root, "");
    } else if (!(root === null || (isScalar(root) && root.value === null))) {
      walker.report(root, undefined, `expected a mapping of config keys at the top level`);
    }
  }
  const config = defaultConfig() as unknown as Record<string, unknown>;
  for (const [path, value] of flatten(walker.values)) setAtPath(config, path, value);
  const merged = withBackendDefaults(config as unknown as Config);
  if (doc.errors.length === 0) {
    for (const problem of checkBackendDefinitions(merged, walker.values)) {
      // The value (or list item) itself, else the nearest key at or above it in the file.
      const value = walker.leaves.get(problem.path);
      const item = problem.index !== undefined && isSeq(value)
        ? walker.resolve(value.items[problem.index])
        : null;
      const parts = problem.path.split(".");
      let node: Node | undefined = item ?? value;
      while (node === undefined && parts.length > 0) {
        node = walker.keys.get(parts.join("."));
        parts.pop();
      }
      walker.report(node, undefined, problem.message);
    }
  }
  const problems = walker.problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { config: merged, problems };
}

/** Leaf values of `values` as dotted paths; `string_map` values stay whole. */
function* flatten(values: Record<string, unknown>, prefix = ""): Generator<[string, unknown]> {
  for (const [name, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (lookupKey(path)?.kind === "section") {
      yield* flatten(value as Record<string, unknown>, path);
    } else {
      yield [path, value];
    }
  }
}

/** Result of {@linkcode validateConfigFile}. */
export interface ConfigValidation {
  path: string;
  /** False when the (default) config file does not exist; then there is nothing to check. */
  exists: boolean;
  problems: ConfigProblem[];
}

/**
 * Checks a config file for `clinvk config validate`, returning every problem.
 *
 * @throws {ClinvkError} exit 2 when the file cannot be read (see `readConfigFile`).
 */
export async function validateConfigFile(
  options: { fs: Fs; path: string; explicit: boolean },
): Promise<ConfigValidation> {
  const text = await readConfigFile(options.fs, options.path, options.explicit);
  if (text === undefined) return { path: options.path, exists: false, problems: [] };
  return {
    path: options.path,
    exists: true,
    problems: parseConfigText(text, options.path).problems,
  };
}
