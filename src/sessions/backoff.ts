/**
 * Waiting on an advisory lock by polling `tryLock`. Deno's blocking `lock()` cannot be given a
 * timeout or cancelled, so clinvk polls with a short, growing delay instead.
 * @module
 */

/** First delay between two tries, in ms. */
export const FIRST_DELAY_MS = 5;
/** Longest delay between two tries, in ms. */
export const MAX_DELAY_MS = 50;

/**
 * Calls `attempt` until it returns true or about `timeoutMs` of sleeping has passed. Time is
 * counted from the sleeps themselves, not from a clock, so a test's frozen clock cannot make
 * the wait endless. Returns whether `attempt` succeeded.
 */
export async function retryWithBackoff(
  attempt: () => Promise<boolean>,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<boolean> {
  let waited = 0;
  let delay = FIRST_DELAY_MS;
  while (!(await attempt())) {
    if (waited >= timeoutMs) return false;
    const step = Math.min(delay, timeoutMs - waited);
    await sleep(step);
    waited += step;
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
  return true;
}

/** Formats a duration for an error message: `30 s`, `0.2 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;
}
