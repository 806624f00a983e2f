/**
 * The run engine's public surface — what the CLI's `parallel`, `chain`, `compare` and `runs`
 * commands use, and what `clinvk serve` (`POST /api/v1/runs`, `GET /runs/{id}`,
 * `GET /runs/{id}/events`) builds on.
 *
 * 1. Get a {@linkcode RunSpec}: {@linkcode parseRunText} (a file's text, with positions) or
 *    {@linkcode parseRunValue} (a parsed JSON body; problems name their path), both throwing
 *    {@linkcode RunFileError} (exit 2, HTTP 400); or {@linkcode compareSpec}.
 * 2. {@linkcode startRun} plans it (throws `ClinvkError` before anything runs: exit 2 bad task,
 *    4 unknown session), records it and starts it; it returns a {@linkcode RunHandle} at once.
 *    The run goes on by itself: the caller may stop listening, it still finishes and saves.
 * 3. Follow it with `handle.subscribe(listener, { replay: true })` — every {@linkcode RunEvent}
 *    so far (except streamed `task_event`s) and then each new one, ending with `run_done`; stop
 *    it with `handle.cancel()`; await `handle.done` for the final record and exit code.
 * 4. Read records — also of runs driven by other processes or finished long ago — with the
 *    {@linkcode RunStore} (`get`, `resolve`, `list`), and shape them like `--json` with
 *    {@linkcode runResults}. Events are only available from the process driving the run.
 *
 * @example
 * ```ts ignore
 * import { parseRunValue, runResults, startRun } from "../runs/mod.ts";
 *
 * const { spec } = parseRunValue(await request.json(), { file: "request", kind: "parallel" });
 * const run = await startRun(deps, spec, { cwd: "/srv/repo", source: null, command: "clinvk serve" });
 * const unsubscribe = run.subscribe((event) => stream.write(`data: ${JSON.stringify(event)}\n\n`), {
 *   replay: true,
 * });
 * const { record, exitCode } = await run.done;
 * unsubscribe();
 * console.log(exitCode, runResults(record));
 * ```
 * @module
 */
export { type CompareOptions, compareSpec } from "./compare_spec.ts";
export type {
  Dispatcher,
  JobHandlers,
  JobTarget,
  RecoverableJob,
  TaskEvent,
  TaskJob,
  TaskOutcome,
} from "./dispatcher.ts";
export { localDispatcher } from "./local_pool.ts";
export {
  nextRunDepth,
  resumeRun,
  type ResumeRunOptions,
  type RunDeps,
  type RunHandle,
  type RunResult,
  startRun,
  type StartRunOptions,
} from "./run_engine.ts";
export type { RunEvent, RunEventListener } from "./run_events.ts";
export { runExitCode } from "./run_exit.ts";
export {
  formatRunFileProblem,
  type ParsedRun,
  type ParseRunOptions,
  parseRunText,
  parseRunValue,
  RunFileError,
  type RunFileProblem,
} from "./run_file.ts";
export type {
  CheckResult,
  JudgeVerdict,
  RunRecord,
  RunStatus,
  TaskRecord,
  TaskState,
  WorktreeInfo,
} from "./run_record.ts";
export type { RunKind, RunSpec, SessionRef, TaskSpec } from "./run_spec.ts";
export { runResults, taskResult } from "./results.ts";
export { createRunStore, type RunStore, type RunStoreOptions } from "./run_store.ts";
