/**
 * clinvk's entry point: builds the real platform, runs the app, and sets the exit code. The
 * only place that exits.
 * @module
 */
import { run } from "@stricli/core";
import { ExitCode, formatError, usageError } from "./errors.ts";
import { app, describeError, routes } from "./cli/app.ts";
import { placeLeadingFlags } from "./cli/global_flags.ts";
import { createContext } from "./cli/context.ts";
import { denoPlatform } from "./platform/deno_platform.ts";
import { syncFs } from "./platform/sync_fs.ts";
import type { Platform } from "./platform/types.ts";

/**
 * Runs clinvk with `args` on `platform` and returns the exit code. Used by `main` and by the
 * in-process tests.
 */
export async function runCli(args: string[], platform: Platform): Promise<number> {
  const context = createContext(platform);
  const placed = placeLeadingFlags(args, routes);
  if (placed.kind === "refuse") {
    platform.stderr.write(formatError(usageError(placed.message, placed.hint)) + "\n");
    return ExitCode.Usage;
  }
  try {
    await run(app, placed.args, context);
  } catch (error) {
    platform.stderr.write(describeError(error) + "\n");
    return ExitCode.BackendFailed;
  }
  const code = Number(context.process.exitCode ?? 0);
  // stricli reports its own parse failures with negative codes; they are usage errors.
  if (code < 0) return ExitCode.Usage;
  if (code !== 0) return code;
  return context.exitCode ?? 0;
}

if (import.meta.main) {
  // A command run has nothing else to do while the disk works; synchronous file calls make the
  // session store several times cheaper at scale (see src/platform/sync_fs.ts).
  Deno.exitCode = await runCli(Deno.args, { ...denoPlatform(), fs: syncFs() });
}
