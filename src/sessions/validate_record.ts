/**
 * Checks that a parsed `sessions/<id>.json` is a usable {@linkcode SessionRecord}: required
 * fields present with the right types, optional ones defaulted, old schema versions migrated.
 * Anything else is a bad file that the store reports and skips instead of crashing on.
 * @module
 */
import { BACKEND_NAME_PATTERN } from "../backends/types.ts";
import type { TokenUsage } from "../backends/types.ts";
import { SCHEMA_VERSION, SESSION_STATUSES } from "./record.ts";
import type { SessionRecord } from "./record.ts";
import { timestampMs } from "./time.ts";

/** Outcome of {@linkcode validateRecord}: the record, or why the file is bad. */
export type Validation =
  | { ok: true; record: SessionRecord }
  | { ok: false; reason: string };

type Json = Record<string, unknown>;

class Invalid extends Error {}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requiredString(raw: Json, field: string): string {
  const value = raw[field];
  if (value === undefined) throw new Invalid(`missing field "${field}"`);
  if (typeof value !== "string") {
    throw new Invalid(`field "${field}" must be a string, not ${describe(value)}`);
  }
  return value;
}

function oneOf<T extends string>(raw: Json, field: string, allowed: readonly T[]): T {
  const value = requiredString(raw, field);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Invalid(`field "${field}" has unknown value "${value}"`);
  }
  return value as T;
}

/** Any backend name: a built-in one or a custom backend's (which config may no longer define). */
function backendName(raw: Json): string {
  const value = requiredString(raw, "backend");
  if (!BACKEND_NAME_PATTERN.test(value)) {
    throw new Invalid(`field "backend" has an impossible value "${value}"`);
  }
  return value;
}

function timestamp(raw: Json, field: string): string {
  const value = requiredString(raw, field);
  if (Number.isNaN(timestampMs(value))) {
    throw new Invalid(`field "${field}" is not a valid timestamp ("${value}")`);
  }
  return value;
}

function nullableString(raw: Json, field: string): string | null {
  const value = raw[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    throw new Invalid(`field "${field}" must be a string or null, not ${describe(value)}`);
  }
  return value;
}

function count(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Invalid(`field "${field}" must be a non-negative number`);
  }
  return value;
}

function tokenUsage(raw: Json): TokenUsage {
  const value = raw.token_usage;
  if (value === undefined || value === null) return { input: 0, output: 0, cached: 0, total: 0 };
  if (!isObject(value)) {
    throw new Invalid(`field "token_usage" must be an object, not ${describe(value)}`);
  }
  const part = (name: string) =>
    value[name] === undefined ? 0 : count(value[name], `token_usage.${name}`);
  const input = part("input");
  const output = part("output");
  const total = value.total === undefined
    ? input + output
    : count(value.total, "token_usage.total");
  return { ...value, input, output, cached: part("cached"), total };
}

function tags(raw: Json): string[] {
  const value = raw.tags;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((tag) => typeof tag === "string")) {
    throw new Invalid(`field "tags" must be an array of strings`);
  }
  return value;
}

function checkRecord(raw: unknown, fileStem: string): SessionRecord {
  if (!isObject(raw)) throw new Invalid(`not a JSON object (found ${describe(raw)})`);
  const id = requiredString(raw, "id");
  if (id !== fileStem) throw new Invalid(`its id "${id}" does not match the file name`);
  const metadata = raw.metadata ?? {};
  if (!isObject(metadata)) {
    throw new Invalid(`field "metadata" must be an object, not ${describe(metadata)}`);
  }
  const version = raw.schema_version ?? 0;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new Invalid(`field "schema_version" must be a non-negative integer`);
  }
  const turnCount = raw.turn_count === undefined ? 0 : count(raw.turn_count, "turn_count");
  if (raw.prompt_truncated !== undefined && typeof raw.prompt_truncated !== "boolean") {
    throw new Invalid(`field "prompt_truncated" must be true or false`);
  }
  // Spreading `raw` first keeps fields this version does not know about (a newer clinvk's),
  // so an update never drops them.
  return {
    ...raw,
    id,
    backend: backendName(raw),
    backend_session_id: nullableString(raw, "backend_session_id"),
    model: nullableString(raw, "model"),
    status: oneOf(raw, "status", SESSION_STATUSES),
    created_at: timestamp(raw, "created_at"),
    last_used_at: timestamp(raw, "last_used_at"),
    workdir: requiredString(raw, "workdir"),
    prompt: requiredString(raw, "prompt"),
    title: nullableString(raw, "title"),
    token_usage: tokenUsage(raw),
    tags: tags(raw),
    parent_id: nullableString(raw, "parent_id"),
    turn_count: turnCount,
    error: nullableString(raw, "error"),
    metadata,
    // Version 0 (the guide's files, no `schema_version`) differs from 1 only by the defaults
    // filled above, so migrating is just stamping the current version.
    schema_version: Math.max(version, SCHEMA_VERSION),
  };
}

/**
 * Validates a parsed session file whose name is `<fileStem>.json`.
 *
 * @example
 * ```ts
 * const text = await Deno.readTextFile("/home/me/.clinvk/sessions/k3v9q0x7ma.json");
 * const result = validateRecord(JSON.parse(text), "k3v9q0x7ma");
 * if (!result.ok) console.error(result.reason);
 * ```
 */
export function validateRecord(raw: unknown, fileStem: string): Validation {
  try {
    return { ok: true, record: checkRecord(raw, fileStem) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}
