/**
 * Checks one plain JavaScript value against a key's type. Shared by file validation (which
 * adds line:column) and `config set` (which parsed the value from the command line), so both
 * accept and reject exactly the same values.
 * @module
 */
import { findVarSyntaxError } from "./expand.ts";
import { type ConfigValue, describeType, type KeyType } from "./schema.ts";

/** Outcome of {@linkcode checkValue}. */
export type CheckResult =
  | { ok: true; value: ConfigValue }
  | {
    ok: false;
    message: string;
    /** For lists: the index of the offending item. */
    index?: number;
    /** For mappings: the name of the offending entry. */
    entry?: string;
  };

/** Names of `string_map` entries: environment variable names, which other programs accept. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Short description of what was found instead, for "expected X, got Y" messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

function expected(type: KeyType, value: unknown): string {
  const quoteHint =
    type.kind === "string" && (typeof value === "number" || typeof value === "boolean")
      ? ` (quote it: "${value}")`
      : "";
  return `expected ${describeType(type)}, got ${describeValue(value)}${quoteHint}`;
}

function checkString(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return findVarSyntaxError(value);
}

/**
 * Checks `value` against `type`. Strings are also checked for well-formed `${VAR}`
 * references. Values are never coerced: YAML `30` is not a string, `"30"` is not a number.
 */
export function checkValue(type: KeyType, value: unknown): CheckResult {
  switch (type.kind) {
    case "string": {
      if (typeof value !== "string") return { ok: false, message: expected(type, value) };
      const bad = checkString(value);
      return bad ? { ok: false, message: bad } : { ok: true, value };
    }
    case "int": {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return { ok: false, message: expected(type, value) };
      }
      if (value < type.min || (type.max !== undefined && value > type.max)) {
        return { ok: false, message: expected(type, value) };
      }
      return { ok: true, value };
    }
    case "boolean":
      return typeof value === "boolean"
        ? { ok: true, value }
        : { ok: false, message: expected(type, value) };
    case "enum":
      return typeof value === "string" && type.values.includes(value)
        ? { ok: true, value }
        : { ok: false, message: expected(type, value) };
    case "string_list": {
      if (!Array.isArray(value)) return { ok: false, message: expected(type, value) };
      for (const [index, item] of value.entries()) {
        if (typeof item !== "string") {
          return {
            ok: false,
            index,
            message: `expected a list of strings, item ${index + 1} is ${describeValue(item)}`,
          };
        }
        const bad = checkString(item);
        if (bad) return { ok: false, index, message: bad };
      }
      return { ok: true, value: [...value] };
    }
    case "string_map": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return { ok: false, message: expected(type, value) };
      }
      for (const [entry, item] of Object.entries(value)) {
        if (!ENV_NAME.test(entry)) {
          return {
            ok: false,
            entry,
            message: `bad variable name ${JSON.stringify(entry)}: expected letters, digits and _`,
          };
        }
        const result = checkValue({ kind: "string" }, item);
        if (!result.ok) return { ok: false, entry, message: `${entry}: ${result.message}` };
      }
      return { ok: true, value: { ...value as Record<string, string> } };
    }
  }
}
