/**
 * Turns a validated {@linkcode RunSpec} into the first run record: every task's backend
 * resolved, its directory made absolute and real, the sessions it continues looked up, its
 * worktree placed, and the run's options settled (flag > run file > default). Everything that
 * can be checked before a backend starts is checked here.
 * @module
 */
import { resolve } from "node:path";
import { getBackend } from "../backends/registry.ts";
import { emptyUsage } from "../backends/shared/usage.ts";
import { ClinvkError, ExitCode } from "../errors.ts";
import { isResumable } from "../sessions/record.ts";
import type { TurnDeps } from "../turns/engine.ts";
import { resolveWorkdir } from "../turns/workdir.ts";
import { RUN_SCHEMA_VERSION, type RunRecord, type TaskRecord } from "./run_record.ts";
import { DEFAULT_MAX_PARALLEL, type RunSpec, type TaskSpec } from "./run_spec.ts";
import { planWorktree } from "./worktree.ts";

/** How to run a spec. Flags win over the run file's own settings. */
export interface PlanOptions {
  runId: string;
  /** `CLINVK_HOME` (worktrees live under it). */
  home: string;
  /** Directory relative workdirs and `output_dir` are taken from. */
  cwd: string;
  /** The run file as the user named it, `-` for stdin, `null` otherwise. */
  source: string | null;
  /** Backend of tasks that name none (`-b`); default `default_backend`. */
  backend?: string;
  maxParallel?: number;
  failFast?: boolean;
  maxTokens?: number;
  /** Run tasks even over a daily budget (`--force`). */
  force?: boolean;
  outputDir?: string;
  /** Run every task that starts a session in its own worktree. */
  worktree?: boolean;
  /** Nesting depth of this run (1 when started from a shell). */
  depth: number;
  /**
   * For runs sent to workers: finds a session this machine's store does not hold but a worker
   * does (from earlier runs' records), so `resume: <id>` continues it there.
   */
  workerSession?(idOrPrefix: string): Promise<WorkerSession | undefined>;
}

/** A session held by a worker, as an earlier run's record knows it. */
export interface WorkerSession {
  session_id: string;
  worker: string;
  backend: string;
  workdir: string;
}

function inTask(id: string, error: unknown): unknown {
  if (!(error instanceof ClinvkError)) return error;
  const message = error.message.startsWith(`Task "${id}"`)
    ? error.message
    : `Task "${id}": ${error.message}`;
  return new ClinvkError(message, error.exitCode, error.hint);
}

/**
 * Plans the run.
 *
 * @throws {ClinvkError} exit 2 for an unknown backend, a missing directory or a worktree outside
 * a git repository; exit 4 for a session to resume or fork that does not exist.
 */
export async function planRun(
  deps: TurnDeps,
  spec: RunSpec,
  options: PlanOptions,
): Promise<RunRecord> {
  const now = deps.platform.clock.now().toISOString();
  const byId = new Map<string, TaskRecord>();
  const tasks: TaskRecord[] = [];
  for (const task of spec.tasks) {
    try {
      const planned = await planTask(deps, task, options, byId);
      byId.set(task.id, planned);
      tasks.push(planned);
    } catch (error) {
      throw inTask(task.id, error);
    }
  }
  return {
    id: options.runId,
    schema_version: RUN_SCHEMA_VERSION,
    kind: spec.kind,
    ...(spec.name ? { name: spec.name } : {}),
    status: "running",
    created_at: now,
    updated_at: now,
    finished_at: null,
    source: options.source,
    cwd: options.cwd,
    options: {
      max_parallel: options.maxParallel ?? spec.max_parallel ?? DEFAULT_MAX_PARALLEL,
      fail_fast: options.failFast ?? spec.fail_fast ?? false,
      max_tokens: options.maxTokens ?? spec.max_tokens ?? null,
      ...(options.force ? { force: true } : {}),
      output_dir: (options.outputDir ?? spec.output_dir)
        ? resolve(options.cwd, options.outputDir ?? spec.output_dir!)
        : null,
      pass_working_dir: spec.pass_working_dir ?? false,
      depth: options.depth,
    },
    coordinator: null,
    cancel_requested_at: null,
    tasks,
    token_usage: emptyUsage(),
    compare: spec.compare ?? null,
    judge: null,
  };
}

async function planTask(
  deps: TurnDeps,
  task: TaskSpec,
  options: PlanOptions,
  planned: ReadonlyMap<string, TaskRecord>,
): Promise<TaskRecord> {
  const ref = task.resume ?? task.fork;
  const verb = task.resume ? "resume" : "fork";
  let backend = task.backend ?? options.backend ?? deps.config.default_backend;
  let workdir: string;
  if (ref) {
    let sessionBackend: string;
    if (ref.kind === "task") {
      const other = planned.get(ref.task_id);
      if (!other) {
        throw new ClinvkError(
          `${verb} names task ${ref.task_id}, which comes later`,
          ExitCode.Usage,
        );
      }
      sessionBackend = other.spec.backend;
      workdir = other.spec.workdir;
    } else if (
      options.workerSession &&
      !(await deps.store.resolve(ref.session_id).then(() => true, () => false))
    ) {
      const held = await options.workerSession(ref.session_id);
      if (!held) await deps.store.resolve(ref.session_id); // throws its own "not found"
      ref.session_id = held!.session_id;
      ref.worker = held!.worker;
      sessionBackend = held!.backend;
      workdir = held!.workdir;
    } else {
      const session = await deps.store.resolve(ref.session_id);
      const usable = task.fork ? Boolean(session.backend_session_id) : isResumable(session);
      if (!usable) {
        throw new ClinvkError(
          `session ${session.id} cannot be ${task.resume ? "resumed" : "forked"} ` +
            `(${
              session.status === "expired" ? "it has expired" : "its backend never reported an id"
            })`,
          ExitCode.SessionNotFound,
          "Start a new one instead (drop the field).",
        );
      }
      ref.session_id = session.id;
      sessionBackend = session.backend;
      workdir = session.workdir;
    }
    if (task.backend && task.backend !== sessionBackend) {
      throw new ClinvkError(
        `backend ${task.backend} cannot ${verb} a ${sessionBackend} session`,
        ExitCode.Usage,
        `Drop "backend" (the session's backend is used) or start a new session.`,
      );
    }
    backend = sessionBackend;
    if (task.worktree) {
      throw new ClinvkError(
        `worktree: true cannot be combined with ${verb}: the session runs in its own directory`,
        ExitCode.Usage,
        "Set worktree on the task that starts the session.",
      );
    }
  } else {
    workdir = await resolveWorkdir(deps.platform.fs, options.cwd, task.workdir);
  }
  getBackend(backend);
  const worktree = !ref && (task.worktree || options.worktree)
    ? await planWorktree(deps.platform, {
      home: options.home,
      runId: options.runId,
      taskId: task.id,
      workdir,
    })
    : null;
  return {
    id: task.id,
    spec: { ...task, backend, workdir, worktree: worktree !== null },
    state: "pending",
    attempts: 0,
    session_id: null,
    worker: null,
    token_usage: emptyUsage(),
    workdir_pinned: task.workdir !== undefined,
    worktree,
  };
}
