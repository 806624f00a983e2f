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
  const removeInterrupt = context.platform.onInterrupt(() => run.cancel("interrupted"));
  let result;
  try {
    result = await run.done;
  } finally {
    removeInterrupt();
    progress.stop();
  }
  printRunResult(context, result, mode);
}
