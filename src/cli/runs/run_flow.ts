/**
 * Following a run from the command line until it ends: progress, Ctrl-C (stops the backends;
 * the run stays resumable), then the results and the exit code.
 * @module
 */
import type { RunHandle } from "../../runs/run_engine.ts";
import type { AppContext } from "../context.ts";
import { printRunResult, type RunOutputMode, showProgress } from "./run_output.ts";

/** Shows `run` until it ends and prints its results; sets the command's exit code. */
export async function followRun(
  context: AppContext,
  run: RunHandle,
  mode: RunOutputMode,
): Promise<void> {
  const progress = showProgress(context, run, mode);
  // Ctrl-C, SIGTERM (a cancelled CI job) and SIGHUP stop the backends with the same signal; the
  // run stays resumable and clinvk exits 128 + the signal's number.
  const removeInterrupt = context.platform.onInterrupt((signal) =>
    run.cancel("interrupted", signal)
  );
  let result;
  try {
    result = await run.done;
  } finally {
    removeInterrupt();
    progress.stop();
  }
  printRunResult(context, result, mode);
}
