/**
 * clinvk's entry point: builds the real platform, runs the app, and sets the exit code. The
 * only place that exits.
 * @module
 */
import { ExitCode as StricliExit, run } from "@stricli/core";
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
  // stricli reports its own failures with negative codes: bad arguments and unknown commands
  // are usage errors; anything else went wrong inside clinvk.
  if (code === StricliExit.InvalidArgument || code === StricliExit.UnknownCommand) {
    return ExitCode.Usage;
  }
  return code < 0 ? ExitCode.BackendFailed : code;
}

/**
 * The directory the user ran clinvk from. `deno task clinvk` (and `npm run`) run the task in
 * the checkout that defines it and pass the caller's directory in `INIT_CWD`: without this, a
 * task run from `~/proj` would record `~/clinvk` as the session's directory.
 */
function callerCwd(platform: Platform): () => string {
  try {
    const initCwd = platform.env.get("INIT_CWD");
    if (initCwd && Deno.statSync(initCwd).isDirectory) return () => initCwd;
  } catch {
    // Not set, gone, or not readable under these permissions: the process's own directory.
  }
  return platform.cwd;
}

if (import.meta.main) {
  // A command run has nothing else to do while the disk works; synchronous file calls make the
  // session store several times cheaper at scale (see src/platform/sync_fs.ts).
  const platform = denoPlatform();
  Deno.exitCode = await runCli(Deno.args, { ...platform, fs: syncFs(), cwd: callerCwd(platform) });
}
