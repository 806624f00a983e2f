/**
 * Whether a process a test started (or its backend started) is still running.
 * @module
 */

/**
 * Whether `pid` runs now (a zombie waiting to be reaped does not count). Asks `ps`: Deno reads
 * nothing under `/proc` without `--allow-all`, so reading `/proc/<pid>/stat` here always failed
 * and every process looked gone.
 */
export function isRunning(pid: number): boolean {
  const { success, stdout } = new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const stat = new TextDecoder().decode(stdout).trim();
  return success && stat !== "" && !/^[ZX]/.test(stat);
}

/** Whether `pid` still runs a moment later (a killed process takes a few ms to go). */
export async function stillRunning(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && isRunning(pid); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return isRunning(pid);
}
