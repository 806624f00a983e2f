/**
 * The context every command receives: where to write, the platform, and the exit code to use
 * when a command finishes without throwing (a failed backend turn passes its own code through).
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
  /** Set by a command that completed but must exit non-zero (e.g. the backend failed). */
  exitCode?: number;
  /** Warnings already printed in this run, so each is said once. */
  readonly warned: Set<string>;
}

/** Builds the context for one run of the app. */
export function createContext(platform: Platform): AppContext {
  return {
    process: {
      stdout: { write: (text) => platform.stdout.write(text) },
      stderr: { write: (text) => platform.stderr.write(text) },
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
