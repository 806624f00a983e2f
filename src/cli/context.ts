/**
 * The context every command receives: where to write and the platform. A command that fails
 * throws a `ClinvkError` carrying its exit code (a failed backend turn, its backend's code).
 * @module
 */
import type { CommandContext } from "@stricli/core";
import { errorLine } from "../errors.ts";
import type { Platform } from "../platform/types.ts";

/** Context of a command run. */
export interface AppContext extends CommandContext {
  readonly process: {
    readonly stdout: { write(text: string): void };
    readonly stderr: { write(text: string): void };
    exitCode?: number | string | null;
  };
  readonly platform: Platform;
  /** Warnings already printed in this run, so each is said once. */
  readonly warned: Set<string>;
}

/** Builds the context for one run of the app. */
export function createContext(platform: Platform): AppContext {
  return {
    process: {
      stdout: { write: (text) => platform.stdout.write(text) },
      // stricli prints a failed command's message plus a newline; an `ExitSilently` has none.
      stderr: { write: (text) => text !== "\n" && platform.stderr.write(text) },
    },
    platform,
    warned: new Set(),
  };
}

/** Prints a warning line on stderr once per run, made safe like an error line. */
export function warn(context: AppContext, message: string): void {
  if (context.warned.has(message)) return;
  context.warned.add(message);
  context.platform.stderr.write(`${errorLine(`warning: ${message}`)}\n`);
}
