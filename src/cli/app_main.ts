/**
 * Running the command tree on a platform: global flags placed, parse errors and thrown errors
 * turned into one line and a documented exit code. Loaded by `main.ts` for every command but
 * `clinvk version`.
 * @module
 */
import { ExitCode as StricliExit, run } from "@stricli/core";
import { ExitCode, formatError, usageError } from "../errors.ts";
import { commandPlatform } from "../platform/deno_platform.ts";
import type { Platform } from "../platform/types.ts";
import { app, describeError, routes } from "./app.ts";
import { createContext } from "./context.ts";
import { placeLeadingFlags } from "./global_flags.ts";
import { spellOneLetterFlags } from "./one_letter_flags.ts";

/** Runs clinvk with `args` on `platform` and returns the exit code. */
export async function runApp(args: string[], platform: Platform): Promise<number> {
  const context = createContext(platform);
  // Spelled before placing (`--b codex sessions list` is `-b codex sessions list`) and again
  // after, for the command the leading flags were moved behind.
  const placed = placeLeadingFlags(spellOneLetterFlags(args, routes), routes);
  if (placed.kind === "refuse") {
    platform.stderr.write(formatError(usageError(placed.message, placed.hint)) + "\n");
    return ExitCode.Usage;
  }
  try {
    await run(app, spellOneLetterFlags(placed.args, routes), context);
  } catch (error) {
    platform.stderr.write(describeError(error) + "\n");
    return ExitCode.BackendFailed;
  }
  return processExitCode(Number(context.process.exitCode ?? 0));
}

/**
 * The process's exit code for the code stricli ended with. stricli reports its own failures
 * with negative codes: bad arguments and unknown commands are usage errors (2); anything else
 * (a command that failed to load, an internal error) went wrong inside clinvk (1).
 *
 * @example
 * ```ts
 * processExitCode(-4); // 2: invalid argument
 * processExitCode(-2); // 1: a command failed to load
 * processExitCode(143); // 143: the command's own code
 * ```
 */
export function processExitCode(code: number): number {
  if (code === StricliExit.InvalidArgument || code === StricliExit.UnknownCommand) {
    return ExitCode.Usage;
  }
  return code < 0 ? ExitCode.BackendFailed : code;
}

/**
 * How many timed-out waits for a store lock are still pending: `main.ts` then exits
 * explicitly, or the process would live until the lock's holder lets go (`lock_wait.ts`).
 */
export { strandedLockWaits } from "../sessions/lock_wait.ts";

/** Runs clinvk as the command line does, on the real platform. */
export function runCommandLine(args: string[]): Promise<number> {
  return runApp(args, commandPlatform());
}
