/**
 * The exit code of a finished run, as `clinvk parallel|chain|compare` and `runs resume` exit.
 * @module
 */
import { ExitCode } from "../errors.ts";
import type { RunStatus } from "./run_record.ts";

/** 0 all done, 1 a task failed or was canceled, 6 budget exceeded, 130 interrupted. */
export function runExitCode(status: RunStatus): number {
  switch (status) {
    case "done":
      return ExitCode.Ok;
    case "interrupted":
      return ExitCode.Interrupted;
    case "budget_exceeded":
      return ExitCode.BudgetExceeded;
    default:
      return ExitCode.BackendFailed;
  }
}
