/**
 * Checks one line of a turn journal: a {@linkcode TurnEntry} with the right types, or nothing.
 * @module
 */
import { makeUsage } from "../backends/shared/usage.ts";
import type { TurnEntry } from "./store_types.ts";
import { TURN_ERROR_CLASSES } from "./store_types.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const num = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);
const str = (value: unknown): value is string => typeof value === "string";
const orNull = <T>(value: unknown, check: (v: unknown) => v is T): T | null =>
  check(value) ? value : null;

/** The entry a journal line holds, or `undefined` when it is not one. */
export function validateTurnEntry(raw: unknown): TurnEntry | undefined {
  if (!isObject(raw) || !num(raw.n) || !str(raw.at) || !str(raw.backend)) return undefined;
  if (!str(raw.prompt) || !str(raw.answer) || !isObject(raw.usage)) return undefined;
  const usage = raw.usage;
  if (!num(usage.input) || !num(usage.output) || !num(usage.cached)) return undefined;
  const errorClass = TURN_ERROR_CLASSES.find((c) => c === raw.error_class) ?? null;
  return {
    n: raw.n,
    at: raw.at,
    backend: raw.backend,
    model: orNull(raw.model, str),
    prompt: raw.prompt,
    answer: raw.answer,
    usage: makeUsage({ input: usage.input, output: usage.output, cached: usage.cached }),
    cost_usd: orNull(raw.cost_usd, num),
    price_source: orNull(raw.price_source, str),
    exit_code: num(raw.exit_code) ? raw.exit_code : 0,
    duration_seconds: num(raw.duration_seconds) ? raw.duration_seconds : 0,
    error_class: errorClass,
    error: orNull(raw.error, str),
    run_id: orNull(raw.run_id, str),
  };
}
