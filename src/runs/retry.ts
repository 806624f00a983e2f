/**
 * Which failures are worth another attempt, and how long to wait first. Only the turn engine's
 * transient error classes are retried — never `auth`, `bad_request` or `not_found`, which would
 * fail the same way again.
 * @module
 */

/** Error classes of the turn engine that a later attempt may not hit. */
export const RETRYABLE_CLASSES: ReadonlySet<string> = new Set([
  "rate_limit",
  "overloaded",
  "network",
]);

/** Longest wait between two attempts. */
export const MAX_RETRY_DELAY_MS = 300_000;

/** Whether a failure of this class is retried. */
export function isRetryable(errorClass: string | undefined): boolean {
  return errorClass !== undefined && RETRYABLE_CLASSES.has(errorClass);
}

/**
 * Delay before the attempt after `failedAttempt` (1-based): `first · 2^(n-1)`, ±20 % jitter so
 * many tasks hitting one rate limit do not come back at the same instant, at most 5 minutes.
 *
 * @example
 * ```ts
 * retryDelayMs(2, 3, () => 0.5); // 8000
 * ```
 */
export function retryDelayMs(
  firstDelaySeconds: number,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const base = firstDelaySeconds * 1000 * 2 ** Math.max(0, failedAttempt - 1);
  const jitter = 0.8 + 0.4 * random();
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, base * jitter));
}
