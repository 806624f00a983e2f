/**
 * Whether Deno lets clinvk run a program, or signal a process it did not start, without
 * asking. Under a narrower `--allow-run=claude,…` on a terminal Deno would otherwise stop
 * everything — the turn, its timers, the reading of the backend's output — for a permission
 * prompt that clinvk's own housekeeping (`ps`, `uname`, a group's signal) caused.
 * @module
 */

/**
 * `true` when running `command` (or, without it, any program and signalling any process, as
 * `Deno.kill(-pgid)` needs) is granted already; never prompts.
 */
export function runGranted(command?: string): boolean {
  try {
    const descriptor: Deno.RunPermissionDescriptor = command
      ? { name: "run", command }
      : { name: "run" };
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}
