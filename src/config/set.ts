/**
 * `clinvk config set KEY VALUE` and `config unset KEY`: change one key of config.yaml,
 * keeping the user's comments, other keys and formatting.
 * @module
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  stringify,
} from "yaml";
import { isDeepStrictEqual } from "node:util";
import type { Fs } from "../platform/types.ts";
import { ClinvkError, usageError } from "../errors.ts";
import { dirname } from "node:path";
import { realTarget, writeFileAtomic } from "./atomic_write.ts";
import { withConfigLock } from "./config_lock.ts";
import { checkValue } from "./check_value.ts";
import { configFsError, readConfigFile } from "./read_config_file.ts";
import { configKeyPaths, type ConfigValue, getAtPath, type KeyType, lookupKey } from "./schema.ts";
import { suggestKey } from "./suggest.ts";

/** Options of {@linkcode setConfigValue}. */
export interface SetConfigValueOptions {
  fs: Fs;
  /** The config file (created with its directory when missing). */
  path: string;
  /** Dotted key, e.g. `session.default_tags` or `backends.claude.env.API_BASE`. */
  key: string;
  /** The value as typed on the command line; parsed as YAML. */
  rawValue: string;
  /** Sleeps while another clinvk holds the config lock. */
  sleep?: (ms: number) => Promise<void>;
}

/** Result of {@linkcode setConfigValue}. */
export interface SetConfigResult {
  path: string;
  /** True when the file did not exist before. */
  created: boolean;
  /** The value as written. */
  value: ConfigValue;
}

/** How generated YAML looks: no folding of long strings, `[a, b]` like people write it. */
const YAML_OUT = { lineWidth: 0, flowCollectionPadding: false } as const;

/** Mode of a new config.yaml: backend `env` entries may hold API keys. */
const NEW_FILE_MODE = 0o600;
/** Mode of a new clinvk home (SPEC §2). */
const NEW_DIR_MODE = 0o700;

interface Target {
  segments: string[];
  type: KeyType;
  /** For `string_map` entries: the entry name, checked as part of a one-entry map. */
  entry?: string;
}

function unknownKey(key: string): never {
  const suggestion = suggestKey(key);
  throw usageError(
    `Unknown config key "${key}"`,
    suggestion ? `Did you mean "${suggestion}"?` : `Known keys: ${configKeyPaths().join(", ")}.`,
  );
}

function targetOf(key: string): Target {
  const found = lookupKey(key);
  if (found === undefined) unknownKey(key);
  if (found.kind === "section") {
    const children = configKeyPaths().filter((k) => k.startsWith(`${key}.`));
    throw usageError(
      `"${key}" is a section, not a single key`,
      `Set one of its keys: ${children.join(", ")}.`,
    );
  }
  if (found.kind === "map_entry") {
    return {
      segments: [...found.spec.path.split("."), found.entry],
      type: found.spec.type,
      entry: found.entry,
    };
  }
  return { segments: found.spec.path.split("."), type: found.spec.type };
}

/**
 * Parses a command-line value for `key` as YAML (`'["a","b"]'` → list, `7` → number,
 * `true` → boolean, words → string) and checks it against the schema. For string keys a
 * value YAML reads as a number or boolean is kept as typed (`config set backends.codex.model
 * 4` means the model "4"), since a string is the only thing that key can hold.
 *
 * @throws {ClinvkError} exit 2 for an unknown key, a section, an empty or ill-typed value.
 */
export function parseValueForKey(key: string, rawValue: string): ConfigValue {
  const target = targetOf(key);
  const stringTyped = target.entry !== undefined || target.type.kind === "string";
  const doc = parseDocument(rawValue);
  let parsed: unknown = doc.errors.length === 0 ? doc.toJS() : undefined;
  if (rawValue.trim() === "" || (parsed === null && !stringTyped)) {
    throw usageError(
      `Empty value for config key "${key}"`,
      `To remove the key, run "clinvk config unset ${key}".`,
    );
  }
  if (stringTyped && (parsed === null || ["number", "boolean"].includes(typeof parsed))) {
    parsed = rawValue;
  }
  if (doc.errors.length > 0 && !stringTyped) {
    const reason = doc.errors[0]!.message.split("\n", 1)[0];
    throw usageError(`Cannot parse the value for "${key}" as YAML: ${reason}`);
  }
  if (parsed === undefined) parsed = rawValue;
  const result = target.entry === undefined
    ? checkValue(target.type, parsed)
    : checkValue(target.type, { [target.entry]: parsed });
  if (!result.ok) throw usageError(`Invalid value for "${key}": ${result.message}`);
  return target.entry === undefined ? result.value : parsed as string;
}

/** Parses the current file for editing; refuses files that are not a YAML mapping. */
function editableDocument(text: string, path: string): Document {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [error] = doc.errors;
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    throw usageError(
      `Cannot update config ${path}:${line}:${col}: ${error.message.split("\n", 1)[0]}`,
      "Fix the YAML first; the file was not changed.",
    );
  }
  const root = doc.contents;
  if (isScalar(root) && root.value === null) doc.contents = null;
  else if (root !== null && !isMap(root)) {
    throw usageError(
      `Cannot update config ${path}: it is not a mapping of keys`,
      "Fix the file first; it was not changed.",
    );
  }
  return doc;
}

/** Makes sure every parent of `segments` is a mapping (or absent), so setIn cannot throw. */
function prepareParents(doc: Document, segments: string[], key: string, path: string): void {
  for (let i = 1; i < segments.length; i++) {
    const prefix = segments.slice(0, i);
    const node = doc.getIn(prefix, true) as Node | undefined;
    if (node === undefined || isMap(node)) continue;
    if (isScalar(node) && node.value === null) {
      // `session:` with nothing under it yet.
      doc.setIn(prefix, doc.createNode({}));
      continue;
    }
    throw usageError(
      `Cannot set "${key}": "${prefix.join(".")}" in ${path} is not a mapping`,
      "Fix the file first; it was not changed.",
    );
  }
}

/** The value at `segments` after parsing `text` again; a unique symbol when it is not valid YAML. */
function readBack(text: string, segments: string[]): unknown {
  const doc = parseDocument(text);
  return doc.errors.length > 0 ? INVALID : getAtPath(doc.toJS(), segments.join("."));
}

const INVALID = Symbol("invalid YAML");

/**
 * The smallest edit: when the key already holds a one-line value (a scalar or `[a, b]`),
 * replace just those characters, so every other byte of the file stays as the user wrote it.
 */
function spliceValue(
  text: string,
  doc: Document,
  segments: string[],
  value: ConfigValue,
): string | undefined {
  const old = doc.getIn(segments, true) as Node | undefined;
  if (!old?.range || old.range[1] <= old.range[0] || old.anchor || old.tag) return undefined;
  const inline = isScalar(old)
    ? !(old.type === "BLOCK_LITERAL" || old.type === "BLOCK_FOLDED")
    : isCollection(old) && old.flow === true;
  if (!inline) return undefined;
  const rendered = stringify(value, { ...YAML_OUT, collectionStyle: "flow" }).trimEnd();
  if (rendered.includes("\n")) return undefined;
  const out = text.slice(0, old.range[0]) + rendered + text.slice(old.range[1]);
  return isDeepStrictEqual(readBack(out, segments), value) ? out : undefined;
}

/** Rewrites through yaml's document model: comments survive, spacing may be normalised. */
function rewriteValue(
  doc: Document,
  segments: string[],
  value: ConfigValue,
  rawValue: string,
): string {
  const old = doc.getIn(segments, true) as Node | undefined;
  if (isScalar(old) && typeof value !== "object") {
    old.value = value; // keeps the value's trailing comment
  } else {
    const flow = isCollection(old) ? old.flow === true : /^\s*[[{]/.test(rawValue);
    const node = doc.createNode(value, { flow });
    if (old && !isAlias(old)) {
      node.comment = old.comment;
      node.commentBefore = old.commentBefore;
      node.spaceBefore = old.spaceBefore;
    }
    doc.setIn(segments, node);
  }
  return doc.toString(YAML_OUT);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a read-modify-write of the config file under its lock (see `config_lock.ts`), creating
 * its directory first. File-system failures become config errors (exit 2).
 */
async function lockedEdit<T>(
  fs: Fs,
  path: string,
  sleep: ((ms: number) => Promise<void>) | undefined,
  edit: () => Promise<T>,
): Promise<T> {
  let target: string;
  try {
    target = await realTarget(fs, path);
    await fs.mkdir(dirname(target), { recursive: true, mode: NEW_DIR_MODE });
  } catch (error) {
    throw configFsError("write", path, error);
  }
  return await withConfigLock({ fs, target, sleep: sleep ?? realSleep }, edit).catch((error) => {
    throw error instanceof ClinvkError ? error : configFsError("write", path, error);
  });
}

async function writeConfig(fs: Fs, path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(fs, path, text, { mode: NEW_FILE_MODE, dirMode: NEW_DIR_MODE });
  } catch (error) {
    throw configFsError("write", path, error);
  }
}

/**
 * Sets one key in config.yaml. The value is validated before the file is touched; on any
 * error the file is left byte-identical. The write is atomic (temp file + rename).
 *
 * @throws {ClinvkError} exit 2 for an unknown key, a bad value, a file that is not valid
 * YAML, or a file that cannot be written.
 * @example
 * ```ts
 * const path = "/home/ada/.clinvk/config.yaml";
 * await setConfigValue({ fs: Deno, path, key: "session.default_tags", rawValue: '["project-x", "feature-y"]' });
 * ```
 */
export async function setConfigValue(options: SetConfigValueOptions): Promise<SetConfigResult> {
  const { fs, path, key, rawValue } = options;
  const value = parseValueForKey(key, rawValue);
  const { segments } = targetOf(key);
  return await lockedEdit(fs, path, options.sleep, async () => {
    const existing = await readConfigFile(fs, path, false);
    const text = existing ?? "";
    const doc = editableDocument(text, path);
    prepareParents(doc, segments, key, path);
    const out = spliceValue(text, doc, segments, value) ??
      rewriteValue(doc, segments, value, rawValue);
    await writeConfig(fs, path, out);
    return { path, created: existing === undefined, value };
  });
}

/** Options of {@linkcode unsetConfigValue}. */
export interface UnsetConfigValueOptions {
  fs: Fs;
  path: string;
  key: string;
  /** Sleeps while another clinvk holds the config lock. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Removes one key from config.yaml so its default applies again; parents left empty are
 * removed too. A key the schema does not know may still be removed when it is in the file
 * (that is how a user clears a typo such as `session.retension_days`).
 *
 * @returns `removed: false` (and the file untouched) when the key was not in the file.
 * @throws {ClinvkError} exit 2 for an unknown key that is not in the file either, or a file
 * that cannot be read, parsed or written.
 */
export async function unsetConfigValue(
  options: UnsetConfigValueOptions,
): Promise<{ path: string; removed: boolean }> {
  const { fs, path, key } = options;
  const known = lookupKey(key);
  const segments = key.split(".");
  const inFile = async () => {
    const existing = await readConfigFile(fs, path, false);
    const doc = editableDocument(existing ?? "", path);
    return existing !== undefined && doc.hasIn(segments) ? doc : undefined;
  };
  // Nothing to remove (the usual case for a typo) needs no lock and creates nothing.
  if (await inFile() === undefined) {
    if (known === undefined) unknownKey(key);
    return { path, removed: false };
  }
  return await lockedEdit(fs, path, options.sleep, async () => {
    const doc = await inFile();
    if (doc === undefined) return { path, removed: false };
    doc.deleteIn(segments);
    for (let i = segments.length - 1; i > 0; i--) {
      const parent = doc.getIn(segments.slice(0, i), true);
      if (!isMap(parent) || parent.items.length > 0 || parent.comment || parent.commentBefore) {
        break;
      }
      doc.deleteIn(segments.slice(0, i));
    }
    await writeConfig(fs, path, doc.toString(YAML_OUT));
    return { path, removed: true };
  });
}
