/**
 * Which signal to really send a child process, per operating system.
 * @module
 */

/** The signals clinvk asks for: polite stop, hang-up, Ctrl-C forwarding, hard kill. */
export type KillRequest = "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP";

/**
 * The signal to send for `requested` on `os`, or `undefined` to send none.
 *
 * Windows has no SIGTERM or SIGINT for another process; Deno can only terminate it (SIGKILL).
 * Ctrl-C needs no forwarding there: the console delivers it to every process attached to it,
 * the backend included, so killing the backend at once would only rob it of its chance to
 * save — the runner's grace timer kills it if it lingers. Elsewhere the signal is sent as is.
 *
 * @example
 * ```ts
 * import { killSignal } from "./kill_signal.ts";
 * killSignal("windows", "SIGTERM"); // "SIGKILL"
 * killSignal("windows", "SIGINT"); // undefined
 * killSignal("linux", "SIGINT"); // "SIGINT"
 * ```
 */
export function killSignal(
  os: typeof Deno.build.os,
  requested: KillRequest,
): KillRequest | undefined {
  if (os !== "windows") return requested;
  return requested === "SIGINT" ? undefined : "SIGKILL";
}
