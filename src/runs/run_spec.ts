/**
 * What a run is before it runs: its tasks and options, as plain JSON. A run file (`-f FILE`),
 * the `compare` preset and `POST /api/v1/runs` all produce a {@linkcode RunSpec}; the engine
 * plans and schedules it. Field names are the run file's own (snake_case), so a spec can be
 * stored, sent to another process and read back unchanged.
 * @module
 */

/** Which preset built the run; decides the shape of `--json` and the default failure policy. */
export type RunKind = "parallel" | "chain" | "compare";

/** Where a task's conversation comes from: a clinvk session id, or another task's session. */
export type SessionRef =
  /** `worker`: the worker holding the session (set when planning a run sent to workers). */
  | { kind: "session"; session_id: string; worker?: string }
  | { kind: "task"; task_id: string };

/** One task of a run file, validated; durations in seconds. */
export interface TaskSpec {
  /** Unique within the run: letters, digits, `-`, `_`, `.`. */
  id: string;
  /** Human label; also the session's title. */
  name?: string;
  /** Backend name; default: the command's `-b`, else `default_backend`. */
  backend?: string;
  /** Prompt template (`{{previous}}`, `{{tasks.<id>.output}}`, `{{tasks.<id>.session_id}}`). */
  prompt: string;
  model?: string;
  /** Directory as written; relative paths are taken from the directory the run started in. */
  workdir?: string;
  /** Ids of the tasks this one waits for: the ones written plus those its templates, `resume` or `fork` name. */
  needs: string[];
  /** The task `{{previous}}` stands for (chains: the step before); else the one task in `needs`. */
  previous?: string;
  /** Continue this session (its backend and directory) instead of starting a new one. */
  resume?: SessionRef;
  /** Start a new session carrying this session's backend context. */
  fork?: SessionRef;
  /** Record no session; the backend keeps nothing either. */
  ephemeral: boolean;
  /** Wall-clock limit of one attempt. */
  timeout_seconds?: number;
  /** Stop an attempt when the backend prints nothing for this long. */
  idle_timeout_seconds?: number;
  /** Extra attempts after a retryable failure (rate limit, overloaded, network). */
  retries: number;
  /** Delay before the first retry; doubles with each further one. */
  retry_delay_seconds: number;
  /** Run in a new git worktree of the workdir's repository. */
  worktree: boolean;
  /** Added to the session's tags (besides `run:<run-id>` and `task:<task-id>`). */
  tags: string[];
  /** Shell command run in the task's directory after the turn; the task passes when it exits 0. */
  check?: string;
  system_prompt?: string;
  /** Print the backend command instead of running it. */
  dry_run?: boolean;
  /** Free-form labels echoed in the results (clinvoker's `meta`). */
  meta?: Record<string, string>;
  /**
   * Run once every need has finished, even when some failed (chains with
   * `stop_on_failure: false`, the judge of `compare`); a failed need renders as a note.
   */
  after_failure?: boolean;
}

/** Settings of the judge of a `compare` run. */
export interface CompareSpec {
  prompt: string;
  backends: string[];
  /** Runs per backend. */
  n: number;
  /** Task id of the judge, when one ranks the answers. */
  judge_task?: string;
  /** Answer label (A, B, …) of each candidate task id, as shown to the judge. */
  labels?: Record<string, string>;
}

/** A whole run, validated. */
export interface RunSpec {
  kind: RunKind;
  /** Human label of the run. */
  name?: string;
  tasks: TaskSpec[];
  /** Default of `--max-parallel`. */
  max_parallel?: number;
  /** Default of `--fail-fast`. */
  fail_fast?: boolean;
  /** Default of `--max-tokens`. */
  max_tokens?: number;
  /** Write `summary.json` and one file per task here when the run ends. */
  output_dir?: string;
  /** Chains: a step without `workdir` runs where the step before it ran. */
  pass_working_dir?: boolean;
  compare?: CompareSpec;
}

/** Task ids: a letter or digit, then letters, digits, `-`, `_`, `.` (at most 64). */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Runs nest at most this deep (`CLINVK_RUN_DEPTH`). */
export const MAX_RUN_DEPTH = 3;

/** Default of `--max-parallel`. */
export const DEFAULT_MAX_PARALLEL = 4;

/** Default delay before the first retry, in seconds. */
export const DEFAULT_RETRY_DELAY_SECONDS = 2;
