/**
 * Waiting on an advisory lock by polling `tryLock`, for locks held for long (a lease lasts a
 * turn; the config and run locks): a few polls per second cost nothing there. The session
 * store's lock, held a few milliseconds at a time by many processes, is waited for in the
 * kernel instead (`lock_wait.ts`, which says why and what that costs).
 * @module
 */

/** First delay between two tries, in ms. */
export const FIRST_DELAY_MS = 5;
/** Longest delay between two tries, in ms. */
export const MAX_DELAY_MS = 50;

/** How often to try: the first delay and the longest. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** For locks held for long (a lease lasts a turn): 5 ms, doubling up to 50 ms. */
export const SLOW_BACKOFF: Backoff = { firstMs: FIRST_DELAY_MS, maxMs: MAX_DELAY_MS };

/**
 * Calls `attempt` until it returns true or about `timeoutMs` of sleeping has passed. Time is
 * counted from the sleeps themselves, not from the injected clock, so a test's frozen clock
 * cannot make the wait endless; the monotonic clock caps it too, since a timer fires late
 * (a 1 ms sleep takes 1–3 ms on a busy machine). Returns whether `attempt` succeeded.
 */
export async function retryWithBackoff(
  attempt: () => Promise<boolean>,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
  backoff: Backoff = SLOW_BACKOFF,
): Promise<boolean> {
  const started = performance.now();
  let waited = 0;
  let delay = backoff.firstMs;
  while (!(await attempt())) {
    if (waited >= timeoutMs || performance.now() - started >= timeoutMs) return false;
    const step = Math.min(delay, timeoutMs - waited);
    await sleep(step);
    waited += step;
    delay = Math.min(delay * 2, backoff.maxMs);
  }
  return true;
}

/** Formats a duration for an error message: `30 s`, `0.2 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 1000 ? 2 : 1))} s`;
}
