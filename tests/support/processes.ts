/**
 * Whether a process a test started (or its backend started) is still running.
 * @module
 */

/** Whether `pid` runs now (Linux: /proc; a zombie waiting to be reaped does not count). */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

/** Whether `pid` still runs a moment later (a killed process takes a few ms to go). */
export async function stillRunning(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && isRunning(pid); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return isRunning(pid);
}
