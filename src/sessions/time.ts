/**
 * Timestamps of session records: RFC 3339 UTC with `Z` and whole seconds, like the user's
 * guide (`2025-01-27T10:00:00Z`), so its jq string comparisons keep working.
 * @module
 */

/** Formats a date as `YYYY-MM-DDTHH:MM:SSZ`. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Milliseconds since the epoch of an RFC 3339 timestamp, or `NaN`. Sorting uses this number,
 * never the string, because hand-written records may carry fractions or offsets.
 */
export function timestampMs(value: string): number {
  return Date.parse(value);
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
