/**
 * `${VAR}` expansion in config strings, so that `default_tags: ["clinvk", "${USER}"]` works.
 *
 * Syntax (a small, predictable subset of the shell's):
 * - `${NAME}` is the value of the environment variable NAME; an unset (or empty) variable
 *   expands to the empty string, as in the shell.
 * - `${NAME:-fallback}` is the value of NAME, or `fallback` when NAME is unset or empty.
 *   The fallback is literal text up to the first `}`; it is not expanded again.
 * - `$${` is a literal `${`. A `$` not followed by `{` is literal, so `$HOME` is NOT expanded
 *   (backend arguments often contain `$`).
 * - NAME is `[A-Za-z_][A-Za-z0-9_]*`; anything else after `${` is a config error, reported
 *   with its position by validation (see {@linkcode findVarSyntaxError}).
 *
 * Only string-typed keys expand (strings, list items, map values); enums, numbers and
 * booleans never do, so what validation checked is what runs.
 * @module
 */
import type { Env } from "../platform/types.ts";
import { readEnv } from "./env_read.ts";
import { type Config, configKeysOf, getAtPath, setAtPath } from "./schema.ts";

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Piece = { text: string } | { name: string; fallback: string | undefined };

/** Splits `text` into literal pieces and variable references; returns an error message instead when malformed. */
function tokenize(text: string): Piece[] | string {
  const pieces: Piece[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      literal += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      literal += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf("}", i + 2);
    if (close < 0) return `unterminated "\${" in "${text}" (write "$\${" for a literal "\${")`;
    const body = text.slice(i + 2, close);
    const sep = body.indexOf(":-");
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!VAR_NAME.test(name)) {
      return `bad variable reference "\${${body}}": expected \${NAME} or \${NAME:-default}`;
    }
    if (literal) pieces.push({ text: literal });
    literal = "";
    pieces.push({ name, fallback: sep < 0 ? undefined : body.slice(sep + 2) });
    i = close + 1;
  }
  if (literal) pieces.push({ text: literal });
  return pieces;
}

/** Whether `text` refers to an environment variable (`${NAME}` or `${NAME:-default}`). */
export function referencesVariable(text: string): boolean {
  const pieces = tokenize(text);
  return typeof pieces !== "string" && pieces.some((piece) => "name" in piece);
}

/** Returns why `text` is not valid `${VAR}` syntax, or `undefined` when it is. */
export function findVarSyntaxError(text: string): string | undefined {
  const result = tokenize(text);
  return typeof result === "string" ? result : undefined;
}

/**
 * Expands `${VAR}` references in `text` from `env`. Malformed references are left as they
 * are (validation reports them before this runs).
 *
 * @throws {ClinvkError} exit 2 when Deno may not read a referenced variable.
 * @example
 * ```ts
 * expandVars("${USER}-x", { get: () => "ada" }); // "ada-x"
 * ```
 */
export function expandVars(text: string, env: Env): string {
  const pieces = tokenize(text);
  if (typeof pieces === "string") return text;
  return pieces.map((p) => "text" in p ? p.text : readEnv(env, p.name) ?? p.fallback ?? "").join(
    "",
  );
}

/**
 * Returns a copy of `config` with every string-typed value expanded. `session.default_tags`
 * then drops tags that became empty and duplicates, because an empty tag cannot be listed or
 * filtered on (`default_tags: ["${TEAM}"]` with TEAM unset simply adds no tag).
 */
export function expandConfig(config: Config, env: Env): Config {
  const out = structuredClone(config) as unknown as Record<string, unknown>;
  for (const spec of configKeysOf(config)) {
    const value = getAtPath(out, spec.path);
    if (value === undefined) continue;
    if (spec.type.kind === "string" && typeof value === "string") {
      setAtPath(out, spec.path, expandVars(value, env));
    } else if (spec.type.kind === "string_list" && Array.isArray(value)) {
      setAtPath(out, spec.path, value.map((v: string) => expandVars(v, env)));
    } else if (spec.type.kind === "string_map" && typeof value === "object") {
      const entries = Object.entries(value as Record<string, string>);
      setAtPath(
        out,
        spec.path,
        Object.fromEntries(entries.map(([k, v]) => [k, expandVars(v, env)])),
      );
    }
  }
  const expanded = out as unknown as Config;
  expanded.session.default_tags = [...new Set(expanded.session.default_tags.filter((t) => t))];
  return expanded;
}
