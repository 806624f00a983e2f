/**
 * The dispatcher interface: how the scheduler hands one attempt of one task to whatever runs
 * it — this process (the default, `local_pool.ts`) or, later, workers on other machines.
 *
 * Everything crossing this interface is plain JSON — a {@linkcode TaskJob} in, unified events
 * and a {@linkcode TaskOutcome} out — so a job can be published to a queue and its result read
 * back by another process: no closures, no process-local handles. Cancellation is an
 * `AbortSignal` on this side; a remote dispatcher turns it into a message.
 * @module
 */
import type { TokenUsage, UnifiedEvent } from "../backends/types.ts";
import type { CheckResult, WorktreeInfo } from "./run_record.ts";

/** Which conversation a job runs in (the turn engine's target, with ids spelled out). */
export type JobTarget =
  | { kind: "ephemeral"; backend: string; workdir: string }
  | { kind: "new"; backend: string; workdir: string; tags: string[]; title?: string }
  | { kind: "resume"; session_id: string }
  | { kind: "fork"; session_id: string; tags: string[] };

/** One attempt of one task: everything needed to run it, anywhere. */
export interface TaskJob {
  /**
   * `<run-id>.<task-id>.<attempt>`: unique per attempt, stable across coordinator restarts, so
   * a queue can de-duplicate a resubmitted job.
   */
  job_id: string;
  run_id: string;
  task_id: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Backend the job needs (for routing and per-backend caps). */
  backend: string;
  target: JobTarget;
  /** The prompt as sent: templates already filled. */
  prompt: string;
  model?: string;
  system_prompt?: string;
  timeout_ms?: number;
  idle_timeout_ms?: number;
  /** Extra environment for the backend (`CLINVK_RUN_DEPTH`). */
  env: Record<string, string>;
  /** Create (or reuse) this worktree and run in `path/subdir`. */
  worktree?: WorktreeInfo;
  /** Shell command run in the task's directory after a successful turn. */
  check?: string;
  /** Plan only: report the backend command, run nothing. */
  dry_run?: boolean;
  /**
   * Run even over a daily budget (`--force`). Honoured in this process only: a worker's
   * message schema drops it, so a worker keeps its own machine's budgets.
   */
  force?: boolean;
  /** The worker holding the session a `resume`/`fork` continues; `null`/absent: any. */
  worker?: string | null;
}

/** A unified event of a running job. */
export interface TaskEvent {
  job_id: string;
  task_id: string;
  /** clinvk session id, once the session exists. */
  session_id?: string;
  event: UnifiedEvent;
}

/** How one attempt ended. */
export interface TaskOutcome {
  job_id: string;
  task_id: string;
  attempt: number;
  /** clinvk session of this attempt (absent when ephemeral or when it never started). */
  session_id?: string;
  /** Which worker's store holds the session; `null` for this machine's. */
  worker: string | null;
  backend: string;
  backend_session_id: string | null;
  model: string | null;
  /** 0 when the turn succeeded (and its check, if any, passed is reported in `check`). */
  exit_code: number;
  content: string;
  usage: TokenUsage;
  error?: string;
  /** The turn engine's error class (`rate_limit`, `auth`, …), or `setup` when nothing ran. */
  error_class?: string;
  duration_seconds: number;
  started_at: string;
  ended_at: string;
  /** Directory the backend ran in. */
  workdir: string;
  check?: CheckResult;
  /** With `dry_run`: the backend command. */
  argv?: string[];
}

/** Callbacks of a running job. */
export interface JobHandlers {
  /** Each unified event of the backend, as it arrives. */
  onEvent(event: TaskEvent): void;
  /** Once the job's session exists (so a killed coordinator's record names it). */
  onSession?(info: { session_id: string; worker: string | null }): void;
}

/** Where a run's tasks were sent, as its record keeps it (so `runs resume` goes there again). */
export interface DispatchRef {
  /** The queue's address without credentials, e.g. `nats://10.0.0.5:4222`. */
  url: string;
  /** The pool of workers the run's tasks go to, when one was named. */
  pool?: string;
}

/** Runs task attempts somewhere. */
export interface Dispatcher {
  /** Shown in `runs show` and logs, e.g. `local`. */
  readonly name: string;
  /** Where tasks go, for the run record; absent for this process (the local pool). */
  readonly ref?: DispatchRef;
  /**
   * Runs one job to its end. Resolves with its outcome — a failed turn is an outcome, not a
   * rejection; rejects only when the dispatcher itself broke. Aborting `signal` stops the job
   * (its backend's process group); the outcome then says `interrupted`.
   *
   * A job id runs at most once: given a job whose id the dispatcher (or the queue behind it)
   * already knows — one {@linkcode recover} reported as running, or one a dead coordinator
   * published — it follows that job to its end instead of starting it again.
   */
  run(job: TaskJob, handlers: JobHandlers, signal: AbortSignal): Promise<TaskOutcome>;
  /**
   * For `runs resume`: what became of these jobs, started by a coordinator that died. Jobs in
   * `outcomes` finished meanwhile; jobs in `running` are still queued or running elsewhere and
   * are followed again by calling {@linkcode run} with the same job id. Any other job is run
   * again as a new attempt. The local pool reports none of either (its jobs died with their
   * process), and marks their half-run sessions `error`.
   */
  recover(runId: string, jobs: readonly RecoverableJob[]): Promise<JobRecovery>;
  /** Releases what the dispatcher holds (connections); the run is over. */
  close(): Promise<void>;
}

/** What {@linkcode Dispatcher.recover} found out about a dead coordinator's jobs. */
export interface JobRecovery {
  /** Jobs that finished meanwhile. */
  outcomes: TaskOutcome[];
  /** Ids of jobs still queued or running somewhere, to follow again. */
  running: string[];
}

/** A job a dead coordinator had started, as its run record knows it. */
export interface RecoverableJob {
  job_id: string;
  task_id: string;
  attempt: number;
  session_id: string | null;
  worker: string | null;
}

/**
 * The outcome of a job that ended without a turn to report — refused, stopped before it
 * started, or lost with its dispatcher: no session, no answer, no tokens.
 */
export function unstartedOutcome(
  job: TaskJob,
  ended: { exit_code: number; error: string; error_class: string; time: Date },
): TaskOutcome {
  const time = ended.time.toISOString();
  return {
    job_id: job.job_id,
    task_id: job.task_id,
    attempt: job.attempt,
    worker: null,
    backend: job.backend,
    backend_session_id: null,
    model: job.model ?? null,
    exit_code: ended.exit_code,
    content: "",
    usage: { input: 0, output: 0, cached: 0, total: 0 },
    error: ended.error,
    error_class: ended.error_class,
    duration_seconds: 0,
    started_at: time,
    ended_at: time,
    workdir: "workdir" in job.target ? job.target.workdir : "",
  };
}

/** The job id of an attempt. */
export function jobId(runId: string, taskId: string, attempt: number): string {
  return `${runId}.${taskId}.${attempt}`;
}
