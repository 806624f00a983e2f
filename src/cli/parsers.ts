/**
 * Parsers for flag values: each turns a string into a typed value or throws a message that
 * says what is wrong and what is expected.
 * @module
 */
import { BACKEND_NAME_PATTERN, BACKEND_NAMES, type BackendName } from "../backends/types.ts";
import { MAX_PERIOD_DAYS, OUTPUT_FORMATS, type OutputFormat } from "../config/schema.ts";
import { SESSION_STATUSES, type SessionStatus } from "../sessions/record.ts";

function oneOf<T extends string>(what: string, values: readonly T[]) {
  return (input: string): T => {
    const value = input.trim().toLowerCase();
    if ((values as readonly string[]).includes(value)) return value as T;
    throw new SyntaxError(`unknown ${what} "${input}" (expected one of: ${values.join(", ")})`);
  };
}

/**
 * `-b/--backend`: a built-in backend or a custom one's name. Whether config defines it is
 * checked once config is loaded.
 */
export function parseBackend(input: string): BackendName {
  const value = input.trim().toLowerCase();
  if (BACKEND_NAME_PATTERN.test(value)) return value;
  throw new SyntaxError(
    `unknown backend "${input}" (expected one of: ${
      BACKEND_NAMES.join(", ")
    }, or a custom backend's name)`,
  );
}

/** `-o/--output-format`. */
export const parseOutputFormat: (input: string) => OutputFormat = oneOf(
  "output format",
  OUTPUT_FORMATS,
);

/** `--status`. */
export const parseStatus: (input: string) => SessionStatus = oneOf("status", SESSION_STATUSES);

/** A number of seconds, e.g. `--timeout 90` or `--timeout 1.5`; `0` means no limit. */
export function parseSeconds(input: string): number {
  const value = Number(input);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(input) || !Number.isFinite(value)) {
    throw new SyntaxError(`"${input}" is not a number of seconds (0 means no limit)`);
  }
  return value;
}

/** A whole number ≥ 1, e.g. `--limit 20`. */
export function parsePositiveInt(input: string): number {
  if (!/^\s*\d+\s*$/.test(input) || Number(input) < 1) {
    throw new SyntaxError(`"${input}" is not a whole number of at least 1`);
  }
  if (!Number.isSafeInteger(Number(input))) {
    throw new SyntaxError(`"${input}" is out of range (at most ${Number.MAX_SAFE_INTEGER})`);
  }
  return Number(input);
}

const DURATION_UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** A duration like `30d`, `12h`, `90m`, `2w` (a bare number means days), in milliseconds. */
export function parseDuration(input: string): number {
  const match = /^\s*(\d+)\s*([smhdw]?)\s*$/i.exec(input);
  if (!match) {
    throw new SyntaxError(
      `"${input}" is not a duration (use a number with s, m, h, d or w, e.g. 30d or 12h)`,
    );
  }
  const ms = Number(match[1]) * DURATION_UNITS[(match[2] || "d").toLowerCase()]!;
  if (ms > MAX_PERIOD_DAYS * DURATION_UNITS.d!) {
    throw new SyntaxError(
      `"${input}" is out of range (at most ${MAX_PERIOD_DAYS}d, 100 years)`,
    );
  }
  return ms;
}
