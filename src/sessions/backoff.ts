/**
 * Waiting on an advisory lock by polling `tryLock`. Deno's blocking `lock()` cannot be given a
 * timeout or cancelled — measured: a process whose `lock()` lost a race against a timer does
 * not exit until the other process releases the lock, even with the file closed, and a
 * worker blocked in `lockSync()` keeps it alive too — so clinvk polls with a short, growing
 * delay instead.
 * @module
 */

/** First delay between two tries, in ms. */
export const FIRST_DELAY_MS = 5;
/** Longest delay between two tries, in ms. */
export const MAX_DELAY_MS = 50;

/** How often to try: the first delay, the longest, and whether delays vary at random. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
  /**
   * Each delay drawn between half and all of its nominal length, so that waiters that
   * started together do not all try at the same instants.
   */
  jitter?: boolean;
}

/** For locks held for long (a lease lasts a turn): 5 ms, doubling up to 50 ms. */
export const SLOW_BACKOFF: Backoff = { firstMs: FIRST_DELAY_MS, maxMs: MAX_DELAY_MS };

/**
 * For locks held for a few milliseconds at a time by many processes (the session store's):
 * 1 ms, doubling up to 8 ms, with jitter. The lock is idle between the holder's release and
 * the next try of a waiter; with several waiters trying at random instants every few
 * milliseconds that gap stays well under a millisecond, at the cost of a few hundred cheap
 * `tryLock` calls per second per waiter.
 */
export const FAST_BACKOFF: Backoff = { firstMs: 1, maxMs: 8, jitter: true };

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
    const nominal = backoff.jitter ? delay * (0.5 + Math.random() / 2) : delay;
    const step = Math.min(nominal, timeoutMs - waited);
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
