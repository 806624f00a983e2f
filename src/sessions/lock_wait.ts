/**
 * Waiting for an advisory lock held by another process: blocked in the kernel (`flock`), not
 * polling, with a timeout.
 *
 * Why not polling (as before, 1–8 ms apart): one failed try costs a timer, a turn of the
 * event loop and a `flock` call — 150–380 µs of CPU each, measured on the 2-core machine — and
 * with 16 writer processes 15 were polling: the waiters burnt more CPU than the holder's work,
 * so 16 writers made fewer updates per second than one. A blocked `lock()` costs nothing while
 * it waits, and the kernel hands the lock to a waiter the moment the holder lets go.
 *
 * The catch, and why this module counts: Deno cannot cancel a pending `lock()`. A wait that
 * times out leaves it pending in a thread of Deno's pool until the holder releases the lock
 * (it then takes the lock, and drops it at once: its file is closed by then). Until that
 * happens the process stays alive unless it exits explicitly — `main.ts` does, when
 * {@linkcode strandedLockWaits} says so, so that a timeout still ends clinvk with exit 5 at
 * once. A long-lived process (`clinvk serve`, a library user) keeps running meanwhile.
 * @module
 */

/** The part of an open file this module uses (`Deno.FsFile`). */
export interface LockableFile {
  tryLock(exclusive?: boolean): Promise<boolean>;
  lock(exclusive?: boolean): Promise<void>;
}

let stranded = 0;

/** The longest delay a timer takes (a longer one would fire at once): about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How many timed-out waits are still pending in this process (see the module comment). */
export function strandedLockWaits(): number {
  return stranded;
}

/**
 * Takes the lock on `file` (exclusive or shared), waiting at most `timeoutMs` for another
 * process to release it. Returns whether it was taken; when it was not, the file must be
 * closed (the pending wait then drops the lock as soon as it gets it).
 */
export async function waitForLock(
  file: LockableFile,
  exclusive: boolean,
  timeoutMs: number,
): Promise<boolean> {
  // Free most of the time: no thread, no timer.
  if (await file.tryLock(exclusive)) return true;
  if (timeoutMs <= 0) return false;
  let expired = false;
  const locked = file.lock(exclusive).then(() => true);
  // A wait left behind ends later, one way or the other, with nobody awaiting it.
  locked.catch(() => {}).finally(() => {
    if (expired) stranded--;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.min(timeoutMs, MAX_TIMER_MS));
  });
  try {
    const taken = await Promise.race([locked, timeout]);
    if (!taken) {
      expired = true;
      stranded++;
    }
    return taken;
  } finally {
    clearTimeout(timer);
  }
}
