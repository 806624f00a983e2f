/**
 * The run record: one JSON object per `$CLINVK_HOME/runs/<run-id>.json`. It holds the graph,
 * each task's state, session, exit code, timings, tokens and check result, so a run survives
 * Ctrl-C, a kill -9 of clinvk or a reboot and `clinvk runs resume` finishes it.
 * @module
 */
import type { TokenUsage } from "../backends/types.ts";
import type { DispatchRef } from "./dispatcher.ts";
import type { RunKind, RunSpec, TaskSpec } from "./run_spec.ts";

/** On-disk format version of run records. */
export const RUN_SCHEMA_VERSION = 1;

/** States of a task. */
export const TASK_STATES = ["pending", "running", "done", "failed", "skipped", "canceled"] as const;
/** A task's state. */
export type TaskState = typeof TASK_STATES[number];

/** States of a run. */
export const RUN_STATUSES = [
  "running",
  "done",
  "failed",
  "canceled",
  "interrupted",
  "budget_exceeded",
] as const;
/** A run's state. */
export type RunStatus = typeof RUN_STATUSES[number];

/** The result of a task's `check` command. */
export interface CheckResult {
  command: string;
  exit_code: number;
  passed: boolean;
  /** The end of what it printed (stdout and stderr together). */
  output: string;
  duration_seconds: number;
}

/** A task's git worktree: where it is and on which branch. */
export interface WorktreeInfo {
  /** Top directory of the repository the worktree belongs to. */
  repo: string;
  branch: string;
  /** The worktree's own top directory. */
  path: string;
  /** Where in the worktree the task runs (the workdir's place in the repository). */
  subdir: string;
}

/** One task of a run record: its spec as planned, and what happened to it. */
export interface TaskRecord {
  id: string;
  /** The task as planned: backend resolved, workdir absolute. */
  spec: TaskSpec & { backend: string; workdir: string };
  state: TaskState;
  /**
   * Attempts started for this task, retries and resumed runs included: attempt `n` is job
   * `<run-id>.<task-id>.<n>`, so no two attempts share a job id.
   */
  attempts: number;
  /**
   * Attempts made before the latest `runs resume`; the task's `retries` count from here, so a
   * resumed task has its retries again.
   */
  retry_base?: number;
  /** clinvk session of the latest attempt; `null` when ephemeral or not started. */
  session_id: string | null;
  /** Sessions of earlier attempts (a retry or a resumed run starts a new one). */
  previous_sessions?: string[];
  /** Which worker's store holds the session; `null` for this machine's. */
  worker: string | null;
  backend_session_id?: string | null;
  model?: string | null;
  exit_code?: number | null;
  error?: string | null;
  error_class?: string | null;
  /** RFC 3339 UTC. */
  started_at?: string | null;
  ended_at?: string | null;
  duration_seconds?: number | null;
  /** Tokens of every attempt. */
  token_usage: TokenUsage;
  /** The answer of the latest attempt (what `{{tasks.<id>.output}}` reads). */
  output?: string | null;
  /** The prompt as sent, templates filled. */
  prompt?: string | null;
  /** Directory the backend ran in. */
  workdir?: string | null;
  /** The task names its own workdir (a chain's `pass_working_dir` does not move it). */
  workdir_pinned?: boolean;
  worktree?: WorktreeInfo | null;
  check?: CheckResult | null;
  /** Why a task was skipped or canceled. */
  reason?: string | null;
  /** With `dry_run`: the command it would run. */
  argv?: string[] | null;
}

/** How the run is scheduled. */
export interface RunOptions {
  max_parallel: number;
  fail_fast: boolean;
  max_tokens?: number | null;
  /**
   * `--force`: this process's tasks run even over a daily budget (`session.budget`). Workers
   * keep their own budgets: the flag is not sent to them.
   */
  force?: boolean;
  /** Absolute. */
  output_dir?: string | null;
  pass_working_dir: boolean;
  /** `CLINVK_RUN_DEPTH` of this run (1 for a run started from a shell). */
  depth: number;
}

/** The process driving the run. */
export interface Coordinator {
  pid: number;
  started_at: string;
}

/** The judge's verdict in a `compare` run. */
export interface JudgeVerdict {
  task_id: string;
  backend: string;
  session_id: string | null;
  /** Candidate task ids, best first, as the judge ranked them. */
  ranking: string[];
  best: string | null;
  reason: string | null;
  /** False when the judge's answer held no readable ranking; `output` has what it said. */
  parsed: boolean;
  output: string;
}

/** One run. */
export interface RunRecord {
  id: string;
  schema_version: number;
  kind: RunKind;
  name?: string | null;
  status: RunStatus;
  created_at: string;
  updated_at: string;
  finished_at?: string | null;
  /** The run file as given (`-` for stdin), or `null` (compare, API). */
  source: string | null;
  /** Directory the run was started from. */
  cwd: string;
  options: RunOptions;
  coordinator?: Coordinator | null;
  /** Where the tasks were sent (`--dispatch`); absent or `null`: run in the coordinator. */
  dispatch?: DispatchRef | null;
  /** Set by `clinvk runs cancel`; the coordinator stops the run when it sees it. */
  cancel_requested_at?: string | null;
  tasks: TaskRecord[];
  /** Tokens of every task. */
  token_usage: TokenUsage;
  /** The spec's `compare` block, for `compare` runs. */
  compare?: RunSpec["compare"] | null;
  judge?: JudgeVerdict | null;
}

/** Whether the task is finished for good in this run (nothing left to do for it). */
export function isTerminal(state: TaskState): boolean {
  return state === "done" || state === "failed" || state === "skipped" || state === "canceled";
}

/** Counts of tasks by state. */
export function countStates(record: Pick<RunRecord, "tasks">): Record<TaskState, number> {
  const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
  for (const task of record.tasks) counts[task.state]++;
  return counts;
}
