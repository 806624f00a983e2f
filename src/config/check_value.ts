/**
 * Checks one plain JavaScript value against a key's type. Shared by file validation (which
 * adds line:column) and `config set` (which parsed the value from the command line), so both
 * accept and reject exactly the same values.
 * @module
 */
import { findVarSyntaxError } from "./expand.ts";
import {
  BACKEND_NAME_PATTERN,
  type ConfigValue,
  describeType,
  type KeyType,
  type ModelPrices,
} from "./schema.ts";

/** A JSON path: names (letters, digits, `_`, `-`, `$`) joined by dots, each may carry `[n]`s. */
const JSON_PATH = /^[A-Za-z0-9_$-]+(?:\[\d+\])*(?:\.[A-Za-z0-9_$-]+(?:\[\d+\])*)*$/;

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
    case "backend_name":
      return typeof value === "string" && BACKEND_NAME_PATTERN.test(value)
        ? { ok: true, value }
        : { ok: false, message: expected(type, value) };
    case "json_path":
      return typeof value === "string" && JSON_PATH.test(value)
        ? { ok: true, value }
        : { ok: false, message: expected(type, value) };
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
    case "number":
      return typeof value === "number" && Number.isFinite(value) && value >= type.min
        ? { ok: true, value }
        : { ok: false, message: expected(type, value) };
    case "number_map":
      return checkNumberMap(type, value);
    case "price_map":
      return checkPriceMap(type, value);
  }
}

const isPlainMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isAmount = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0;

function checkNumberMap(type: KeyType, value: unknown): CheckResult {
  if (!isPlainMap(value)) return { ok: false, message: expected(type, value) };
  for (const [entry, item] of Object.entries(value)) {
    if (!isAmount(item)) {
      return {
        ok: false,
        entry,
        message: `${entry}: expected a number ≥ 0, got ${describeValue(item)}`,
      };
    }
  }
  return { ok: true, value: { ...value as Record<string, number> } };
}

const PRICE_FIELDS = ["input_per_mtok", "output_per_mtok", "cached_input_per_mtok"];

function checkPriceMap(type: KeyType, value: unknown): CheckResult {
  if (!isPlainMap(value)) return { ok: false, message: expected(type, value) };
  for (const [entry, prices] of Object.entries(value)) {
    if (!isPlainMap(prices)) {
      return {
        ok: false,
        entry,
        message: `${entry}: expected a mapping of prices, got ${describeValue(prices)}`,
      };
    }
    for (const [field, price] of Object.entries(prices)) {
      if (!PRICE_FIELDS.includes(field)) {
        return {
          ok: false,
          entry,
          message: `${entry}: unknown price "${field}" (known: ${PRICE_FIELDS.join(", ")})`,
        };
      }
      if (!isAmount(price)) {
        return {
          ok: false,
          entry,
          message: `${entry}.${field}: expected a number ≥ 0, got ${describeValue(price)}`,
        };
      }
    }
    for (const field of PRICE_FIELDS.slice(0, 2)) {
      if (!(field in prices)) return { ok: false, entry, message: `${entry}: missing ${field}` };
    }
  }
  return { ok: true, value: structuredClone(value) as Record<string, ModelPrices> };
}
