/**
 * Starting, following and resuming runs — the one engine behind `clinvk parallel`, `chain`,
 * `compare`, `runs resume` and the HTTP server's `/api/v1/runs`.
 *
 * A run is driven by one process at a time (it holds the run's lease): it plans the run, writes
 * the record, lets the scheduler hand tasks to the dispatcher, saves the record as tasks move,
 * notices `clinvk runs cancel` from another process, and at the end writes `output_dir` and
 * reports `run_done`.
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import { signalExitCode, StopRequest, type StopSignal } from "../platform/stop_signals.ts";
import { runExitCode } from "./run_exit.ts";
import type { TurnDeps } from "../turns/engine.ts";
import type { Dispatcher, RecoverableJob } from "./dispatcher.ts";
import { jobId } from "./dispatcher.ts";
import { buildJob, RUN_DEPTH_ENV } from "./job_builder.ts";
import { judgeVerdict } from "./judge.ts";
import { localDispatcher } from "./local_pool.ts";
import { writeOutputDir } from "./output_dir.ts";
import { type PlanOptions, planRun } from "./plan_run.ts";
import type { RunEvent, RunEventListener } from "./run_events.ts";
import { countStates, type RunRecord, type RunStatus } from "./run_record.ts";
import { MAX_RUN_DEPTH, type RunSpec } from "./run_spec.ts";
import type { RunStore } from "./run_store.ts";
import { Scheduler, type StopCause } from "./scheduler.ts";
import { findWorkerSession } from "./worker_sessions.ts";

/** What the engine needs: the turn engine's dependencies, the run store and clinvk's home. */
export interface RunDeps extends TurnDeps {
  runs: RunStore;
  /** `CLINVK_HOME`. */
  home: string;
  /** Where tasks run. Default: this process ({@linkcode localDispatcher}). */
  dispatcher?: Dispatcher;
}

/** Options of {@linkcode startRun}. */
export interface StartRunOptions extends Omit<PlanOptions, "runId" | "depth" | "home"> {
  /** Label of the driving process in the run's lease, e.g. `clinvk parallel`. */
  command?: string;
}

/** Options of {@linkcode resumeRun}. */
export interface ResumeRunOptions {
  maxParallel?: number;
  command?: string;
}

/** How a run ended. */
export interface RunResult {
  record: RunRecord;
  /** 0 all done, 1 a task failed or was canceled, 6 budget exceeded, 130 interrupted. */
  exitCode: number;
}

/** A run in progress. */
export interface RunHandle {
  readonly id: string;
  /** A copy of the run record as it is now. */
  record(): RunRecord;
  /**
   * Calls `listener` with every event from now on; with `replay`, first with every event so
   * far except the tasks' streamed backend events (`task_event`). Returns the unsubscribe.
   */
  subscribe(listener: RunEventListener, options?: { replay?: boolean }): () => void;
  /**
   * Stops the run. `canceled` cancels what did not start; `interrupted` (Ctrl-C) leaves it
   * pending for `clinvk runs resume`. Running tasks' backends are stopped either way — with
   * `signal` when given (the signal clinvk received; the run then exits 128 + its number),
   * else with SIGINT.
   */
  cancel(cause?: "canceled" | "interrupted", signal?: StopSignal): void;
  /** Resolves when the run has stopped and its record is saved. */
  readonly done: Promise<RunResult>;
}

/**
 * The nesting depth of a run started from an environment with `CLINVK_RUN_DEPTH` = `value`.
 *
 * @throws {ClinvkError} exit 2 beyond {@linkcode MAX_RUN_DEPTH}: an agent that calls clinvk
 * again from inside a run cannot fan out without bound.
 */
export function nextRunDepth(value: string | undefined): number {
  const parent = Math.max(0, Number.parseInt(value ?? "0", 10) || 0);
  if (parent >= MAX_RUN_DEPTH) {
    throw new ClinvkError(
      `Refusing to start a run nested ${parent + 1} deep (${RUN_DEPTH_ENV}=${value}); ` +
        `runs nest at most ${MAX_RUN_DEPTH} deep`,
      ExitCode.Usage,
      "A backend of a run is calling clinvk again; run the inner work as tasks of the outer run.",
    );
  }
  return parent + 1;
}

/**
 * Plans and starts a run of `spec` (from `parseRunText`, `parseRunValue` or `compareSpec`).
 *
 * @throws {ClinvkError} before anything runs: exit 2 for a bad task (unknown backend, missing
 * directory, worktree outside git) or a run nested too deep, exit 4 for a session to resume
 * that does not exist.
 * @example
 * ```ts ignore
 * const { spec } = parseRunText(await Deno.readTextFile("tasks.yaml"), { file: "tasks.yaml", kind: "parallel" });
 * const run = await startRun(deps, spec, { cwd: Deno.cwd(), source: "tasks.yaml" });
 * run.subscribe((event) => console.log(JSON.stringify(event)));
 * const { record, exitCode } = await run.done;
 * ```
 */
export async function startRun(
  deps: RunDeps,
  spec: RunSpec,
  options: StartRunOptions,
): Promise<RunHandle> {
  const depth = nextRunDepth(deps.platform.env.get(RUN_DEPTH_ENV));
  const runId = await deps.runs.newId();
  const record = await planRun(deps, spec, {
    ...options,
    runId,
    depth,
    home: deps.home,
    // Sent to workers, a run may continue sessions that live on them.
    ...(deps.dispatcher?.ref
      ? { workerSession: (id: string) => findWorkerSession(deps.runs, id) }
      : {}),
  });
  const lease = await deps.runs.acquireLease(runId, options.command ?? "clinvk");
  try {
    record.coordinator = {
      pid: deps.platform.pid,
      started_at: deps.platform.clock.now().toISOString(),
    };
    record.dispatch = deps.dispatcher?.ref ?? null;
    await deps.runs.save(record);
  } catch (error) {
    await lease.release();
    throw error;
  }
  return drive(deps, record, lease, { resumed: false, recover: [] });
}

/**
 * Resumes a run that did not finish: every task that is not `done` runs again (finished
 * tasks keep their results and feed templates as before).
 *
 * @throws {ClinvkError} exit 4 when the run does not exist, exit 5 when another process drives it.
 */
export async function resumeRun(
  deps: RunDeps,
  idOrPrefix: string,
  options: ResumeRunOptions = {},
): Promise<RunHandle> {
  const found = await deps.runs.resolve(idOrPrefix);
  nextRunDepth(deps.platform.env.get(RUN_DEPTH_ENV));
  const lease = await deps.runs.acquireLease(found.id, options.command ?? "clinvk runs resume");
  try {
    // Read again now that nobody else can drive it.
    const record = (await deps.runs.get(found.id)) ?? found;
    const recover: RecoverableJob[] = record.tasks
      .filter((task) => task.state === "running" && task.attempts > 0)
      .map((task) => ({
        job_id: jobId(record.id, task.id, task.attempts),
        task_id: task.id,
        attempt: task.attempts,
        session_id: task.session_id,
        worker: task.worker,
      }));
    if (record.status !== "done") {
      for (const task of record.tasks) {
        if (task.state === "done") continue;
        task.state = "pending";
        // Attempts count on (job ids stay unique); the retries start again from here.
        task.retry_base = task.attempts;
        task.reason = null;
      }
      record.status = "running";
      record.finished_at = null;
    }
    record.cancel_requested_at = null;
    if (options.maxParallel) record.options.max_parallel = options.maxParallel;
    record.coordinator = {
      pid: deps.platform.pid,
      started_at: deps.platform.clock.now().toISOString(),
    };
    record.dispatch = deps.dispatcher?.ref ?? null;
    await deps.runs.save(record);
    return drive(deps, record, lease, { resumed: true, recover });
  } catch (error) {
    await lease.release();
    throw error;
  }
}

function drive(
  deps: RunDeps,
  record: RunRecord,
  lease: AsyncDisposable & { release(): Promise<void> },
  start: { resumed: boolean; recover: RecoverableJob[] },
): RunHandle {
  const dispatcher = deps.dispatcher ?? localDispatcher(deps);
  const { clock } = deps.platform;
  const listeners = new Set<RunEventListener>();
  const history: RunEvent[] = [];
  const emit = (event: RunEvent) => {
    if (event.type !== "task_event") history.push(event);
    for (const listener of [...listeners]) listener(event);
  };

  // Saves are coalesced: changes within SAVE_DELAY_MS share one write, one write is in flight
  // at a time, and one more follows when the record changed meanwhile. A 200-task record is a
  // few hundred KB and each write is fsynced; writing it on every change would stall the run.
  let saving: Promise<void> | undefined;
  let dirty = false;
  let lastWritten: number | undefined;
  const reportedSaveErrors = new Set<string>();
  const saveLoop = async () => {
    await deps.platform.sleep(SAVE_DELAY_MS);
    while (dirty) {
      dirty = false;
      record.updated_at = clock.now().toISOString();
      try {
        const written = await deps.runs.save(record);
        lastWritten = await deps.runs.modifiedAt(record.id);
        if (written.cancel_requested_at && !record.cancel_requested_at) {
          record.cancel_requested_at = written.cancel_requested_at;
          scheduler.stop("canceled", "canceled with clinvk runs cancel");
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!reportedSaveErrors.has(message)) {
          reportedSaveErrors.add(message);
          deps.warn(`cannot save run ${record.id}: ${message}`);
        }
      }
    }
    saving = undefined;
  };
  const changed = () => {
    dirty = true;
    saving ??= saveLoop();
  };
  const flush = async () => {
    while (saving) await saving;
  };

  const scheduler = new Scheduler(record, {
    dispatcher,
    now: () => clock.now(),
    backendCap: (backend) => {
      const settings = (deps.config.backends as Record<string, { max_parallel?: number }>)[backend];
      return settings?.max_parallel || undefined;
    },
    emit,
    changed,
    buildJob: (task, attempt) => buildJob(record, task, attempt),
  });

  // `clinvk runs cancel` in another terminal writes a cancel request into the record.
  let polling: Promise<void> | undefined;
  const checkCancel = async () => {
    try {
      const modified = await deps.runs.modifiedAt(record.id);
      if (modified === undefined || modified === lastWritten) return;
      const disk = await deps.runs.get(record.id);
      if (disk?.cancel_requested_at && !scheduler.stopCause) {
        record.cancel_requested_at = disk.cancel_requested_at;
        scheduler.stop("canceled", "canceled with clinvk runs cancel");
      }
      lastWritten = modified;
    } catch {
      // A record that cannot be read now is read again on the next tick.
    } finally {
      polling = undefined;
    }
  };
  const poll = setInterval(() => {
    if (!polling && !saving) polling = checkCancel();
  }, 500);
  const stopPolling = async () => {
    clearInterval(poll);
    await polling;
  };

  const startedAt = clock.now().getTime();
  let stoppedBy: StopSignal | undefined;
  const done = (async (): Promise<RunResult> => {
    try {
      emit({
        type: "run_started",
        run_id: record.id,
        kind: record.kind,
        resumed: start.resumed,
        max_parallel: record.options.max_parallel,
        tasks: record.tasks.map((task) => ({
          id: task.id,
          backend: task.spec.backend,
          needs: task.spec.needs,
          state: task.state,
        })),
        time: clock.now().toISOString(),
      });
      if (start.recover.length > 0) {
        const recovery = await dispatcher.recover(record.id, start.recover);
        for (const outcome of recovery.outcomes) scheduler.adopt(outcome);
        for (const job of start.recover) {
          if (recovery.running.includes(job.job_id)) scheduler.reattach(job.task_id, job.attempt);
        }
      }
      if (record.status === "running") await scheduler.run();
      await stopPolling();
      await flush();
      const status = record.status === "running"
        ? finalStatus(record, scheduler.stopCause)
        : record.status;
      record.status = status;
      record.finished_at ??= clock.now().toISOString();
      record.coordinator = null;
      record.judge = judgeVerdict(record) ?? record.judge ?? null;
      changed();
      await flush();
      if (record.options.output_dir) {
        try {
          await writeOutputDir(deps.platform, record);
        } catch (error) {
          deps.warn(
            `cannot write output_dir ${record.options.output_dir}: ${(error as Error).message}`,
          );
        }
      }
      const exitCode = status === "interrupted" && stoppedBy
        ? signalExitCode(stoppedBy)
        : runExitCode(status);
      emit({
        type: "run_done",
        run_id: record.id,
        status,
        exit_code: exitCode,
        counts: countStates(record),
        token_usage: record.token_usage,
        duration_seconds: (clock.now().getTime() - startedAt) / 1000,
        time: clock.now().toISOString(),
      });
      return { record: structuredClone(record), exitCode };
    } finally {
      await stopPolling();
      await flush();
      await dispatcher.close().catch(() => {});
      await lease.release();
    }
  })();

  return {
    id: record.id,
    record: () => structuredClone(record),
    subscribe(listener, options) {
      if (options?.replay) { for (const event of history) listener(event); }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel(cause = "canceled", signal) {
      if (signal && !scheduler.stopCause) stoppedBy = signal;
      scheduler.stop(
        cause satisfies StopCause,
        cause === "interrupted" ? `interrupted (${signal ?? "SIGINT"})` : "canceled",
        signal ? new StopRequest(signal) : undefined,
      );
    },
    done,
  };
}

/** How long changes to a run record may wait to be written together. */
const SAVE_DELAY_MS = 100;

function finalStatus(record: RunRecord, cause: StopCause | undefined): RunStatus {
  switch (cause) {
    case "interrupted":
      return "interrupted";
    case "canceled":
      return "canceled";
    case "budget":
      return "budget_exceeded";
  }
  return record.tasks.every((task) => task.state === "done") ? "done" : "failed";
}
