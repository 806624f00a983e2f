/**
 * Durations in run files: a number of seconds (`90`, `1.5`) or a string with units (`90s`,
 * `30m`, `2h`, `1h30m`, `500ms`). `0` means no limit.
 * @module
 */
import { MAX_TIMEOUT_SECONDS } from "../config/schema.ts";

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * Seconds in `value`, or `undefined` when it is not a duration (negative, unknown unit, or
 * longer than timers can wait).
 *
 * @example
 * ```ts
 * durationSeconds("1h30m"); // 5400
 * durationSeconds(90); // 90
 * ```
 */
export function durationSeconds(value: number | string): number | undefined {
  let seconds: number;
  if (typeof value === "number") {
    seconds = value;
  } else {
    const text = value.trim().toLowerCase();
    if (/^\d+(\.\d+)?$/.test(text)) {
      seconds = Number(text);
    } else {
      if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
      seconds = 0;
      for (const [, amount, unit] of text.matchAll(PART)) {
        seconds += Number(amount) * UNIT_SECONDS[unit!]!;
      }
    }
  }
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TIMEOUT_SECONDS) return undefined;
  return seconds;
}
