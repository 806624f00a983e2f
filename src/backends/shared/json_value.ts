/**
 * Safe reading of untyped JSON printed by the backend CLIs. Their formats change between
 * versions, so every access is checked instead of trusting a declared shape.
 * @module
 */

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** Returns `value` when it is a plain JSON object (not an array or null). */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as JsonObject
    : undefined;
}

/** Returns `value` when it is a string. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Returns `value` when it is a non-empty string. */
export function asNonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Returns `value` when it is a finite number. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Returns `value` as a count: a finite number, or 0 when missing or malformed. */
export function asCount(value: unknown): number {
  return asNumber(value) ?? 0;
}

/** Returns `value` when it is an array. */
export function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/**
 * Parses one line of a JSON-lines stream. Returns `undefined` for blank lines, non-JSON lines
 * (the CLIs sometimes print plain text on stdout) and JSON that is not an object.
 *
 * @example
 * ```ts
 * parseJsonLine('{"type":"init"}'); // { type: "init" }
 * parseJsonLine("Loading..."); // undefined
 * ```
 */
export function parseJsonLine(line: string): JsonObject | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}
