/**
 * What the run commands (`parallel`, `chain`, `compare`, `runs …`) run: loaded only when one of
 * them does, so that other commands do not prepare the run engine, its file parser and its
 * schema validator (see `src/lazy_import.ts`).
 * @module
 */
export { backendAvailability, backendFor } from "../../backends/registry.ts";
export { displayStatus, runDetails, runsTable } from "../../output/run_views.ts";
export { compareSpec } from "../../runs/compare_spec.ts";
export { resumeRun, startRun } from "../../runs/run_engine.ts";
export { formatRunFileProblem, parseRunText } from "../../runs/run_file.ts";
export { removeWorktree } from "../../runs/worktree.ts";
export { resolveWorkdir } from "../../turns/workdir.ts";
export { readPrompt } from "../prompt_input.ts";
export { followRun } from "./run_flow.ts";
export {
  checkDispatchable,
  knownBackends,
  openDispatcher,
  readRunFile,
  runDeps,
  startWith,
} from "./run_setup.ts";
