/**
 * The scheduler: starts every task whose needs are done, in file order, within the global
 * `max_parallel` and each backend's `backends.<name>.max_parallel`; applies the failure policy
 * (`continue`: a failed task skips only its dependents; `fail-fast`: stop everything), retries
 * retryable failures with backoff, and stops the run when its token budget is spent. It works on
 * the run record in memory and hands every attempt to a {@linkcode Dispatcher}.
 * @module
 */
import { addUsage } from "../backends/shared/usage.ts";
import { type Dispatcher, type TaskJob, type TaskOutcome, unstartedOutcome } from "./dispatcher.ts";
import { topologicalOrder } from "./graph.ts";
import type { RunEvent } from "./run_events.ts";
import { isTerminal, type RunRecord, type TaskRecord } from "./run_record.ts";
import { isRetryable, retryDelayMs } from "./retry.ts";

/** Why a run stopped before its tasks ran out. */
export type StopCause = "fail_fast" | "canceled" | "interrupted" | "budget";

/** What the scheduler needs from the run it schedules. */
export interface SchedulerHooks {
  dispatcher: Dispatcher;
  now(): Date;
  /** `backends.<name>.max_parallel`, when set. */
  backendCap(backend: string): number | undefined;
  emit(event: RunEvent): void;
  /** The record changed: save it (the caller coalesces saves). */
  changed(): void;
  /** The job of a task's next attempt. Throws (with a one-line message) when it cannot be built. */
  buildJob(task: TaskRecord, attempt: number): TaskJob;
  random?(): number;
}

interface Running {
  controller: AbortController;
  backend: string;
  /** Tokens the backend reported so far in this attempt. */
  usage: number;
}

/** Schedules one run's tasks until none is left to start. */
export class Scheduler {
  readonly #record: RunRecord;
  readonly #hooks: SchedulerHooks;
  readonly #byId: Map<string, TaskRecord>;
  readonly #order: TaskRecord[];
  readonly #running = new Map<string, Running>();
  readonly #notBefore = new Map<string, number>();
  /** Tasks whose job a dead coordinator started and that still runs elsewhere (`reattach`). */
  readonly #reattached = new Set<string>();
  readonly #finished = Promise.withResolvers<void>();
  #stopped: StopCause | undefined;
  #stopReason = "";
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** A scheduler for `record` (changed in place). */
  constructor(record: RunRecord, hooks: SchedulerHooks) {
    this.#record = record;
    this.#hooks = hooks;
    this.#byId = new Map(record.tasks.map((task) => [task.id, task]));
    this.#order = topologicalOrder(record.tasks.map((t) => t.spec)).map((id) =>
      this.#byId.get(id)!
    );
  }

  /** Why the run stopped early, if it did. */
  get stopCause(): StopCause | undefined {
    return this.#stopped;
  }

  /** Runs until every task is finished, or the run was stopped and nothing runs any more. */
  run(): Promise<void> {
    this.#pump();
    return this.#finished.promise;
  }

  /**
   * Stops the run: running tasks are aborted (their backends stopped), and — except when
   * interrupted, where they stay pending for `runs resume` — tasks not started are canceled.
   */
  stop(cause: StopCause, reason: string, abortReason: unknown = reason): void {
    if (this.#stopped) return;
    this.#stopped = cause;
    this.#stopReason = reason;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#notBefore.clear();
    if (cause !== "interrupted") {
      for (const task of this.#record.tasks) {
        if (task.state === "pending") this.#end(task, "canceled", reason);
      }
    }
    // The abort reason picks the signal the backends get (a StopRequest forwards its own).
    for (const running of this.#running.values()) running.controller.abort(abortReason);
    this.#hooks.changed();
    this.#pump();
  }

  #pump(): void {
    this.#skipBlocked();
    if (!this.#stopped) {
      const max = this.#record.options.max_parallel;
      const now = this.#hooks.now().getTime();
      // Jobs still running elsewhere are followed first: they already hold a worker.
      const order = this.#reattached.size === 0 ? this.#record.tasks : [
        ...this.#record.tasks.filter((t) => this.#reattached.has(t.id)),
        ...this.#record.tasks.filter((t) => !this.#reattached.has(t.id)),
      ];
      for (const task of order) {
        if (this.#running.size >= max) break;
        if (task.state !== "pending" || (this.#notBefore.get(task.id) ?? 0) > now) continue;
        if (!this.#needsMet(task)) continue;
        const cap = this.#hooks.backendCap(task.spec.backend);
        if (cap !== undefined && this.#runningOn(task.spec.backend) >= cap) continue;
        this.#launch(task);
      }
      this.#armTimer(now);
    }
    if (this.#running.size === 0 && this.#timer === undefined) this.#finished.resolve();
  }

  #runningOn(backend: string): number {
    let count = 0;
    for (const running of this.#running.values()) if (running.backend === backend) count++;
    return count;
  }

  #needsMet(task: TaskRecord): boolean {
    return task.spec.needs.every((id) => {
      const state = this.#byId.get(id)?.state;
      return state === "done" || (task.spec.after_failure === true && isTerminal(state!));
    });
  }

  /**
   * A task whose need failed (or was skipped or canceled) can never run: skip it. After an
   * interrupt, tasks stay pending for `runs resume` instead.
   */
  #skipBlocked(): void {
    if (this.#stopped === "interrupted") return;
    for (const task of this.#order) {
      if (task.state !== "pending" || task.spec.after_failure) continue;
      const blocker = task.spec.needs.map((id) => this.#byId.get(id)!).find((need) =>
        need.state === "failed" || need.state === "skipped" || need.state === "canceled"
      );
      if (blocker) {
        this.#end(task, "skipped", `needs ${blocker.id}, which ${verb(blocker.state)}`);
        this.#hooks.changed();
      }
    }
  }

  /** Wakes the pump when the earliest retry is due. */
  #armTimer(now: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let earliest = Infinity;
    for (const [id, at] of this.#notBefore) {
      if (this.#byId.get(id)!.state === "pending") earliest = Math.min(earliest, at);
    }
    if (earliest === Infinity) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, Math.max(0, earliest - now));
  }

  #launch(task: TaskRecord): void {
    const attempt = task.attempts + 1;
    let job: TaskJob;
    try {
      job = this.#hooks.buildJob(task, attempt);
    } catch (error) {
      task.attempts = attempt;
      task.error = error instanceof Error ? error.message : String(error);
      task.error_class = "setup";
      this.#end(task, "failed");
      this.#afterFailure(task);
      return;
    }
    const now = this.#hooks.now().toISOString();
    const following = this.#reattached.delete(task.id);
    task.attempts = attempt;
    task.state = "running";
    task.started_at ??= now;
    task.ended_at = null;
    task.reason = null;
    task.prompt = job.prompt;
    if (job.target.kind !== "resume" && task.session_id && !following) {
      task.previous_sessions = [...task.previous_sessions ?? [], task.session_id];
      task.session_id = null;
    }
    this.#notBefore.delete(task.id);
    const running: Running = { controller: new AbortController(), backend: job.backend, usage: 0 };
    this.#running.set(task.id, running);
    this.#hooks.emit({
      type: "task_started",
      run_id: this.#record.id,
      task_id: task.id,
      backend: job.backend,
      attempt,
      time: now,
    });
    this.#hooks.changed();
    this.#hooks.dispatcher.run(job, {
      onEvent: (message) => {
        const { event } = message;
        if (event.type === "usage" && !event.cumulative) {
          running.usage = event.usage.total;
          this.#checkBudget();
        }
        this.#hooks.emit({
          type: "task_event",
          run_id: this.#record.id,
          task_id: task.id,
          ...(message.session_id ? { session_id: message.session_id } : {}),
          event,
        });
      },
      onSession: ({ session_id, worker }) => {
        task.session_id = session_id;
        task.worker = worker;
        this.#hooks.changed();
      },
    }, running.controller.signal).then(
      (outcome) => this.#finish(task, outcome),
      (error) => this.#finish(task, brokenDispatch(job, error, this.#hooks.now())),
    );
  }

  /**
   * Follows attempt `attempt` of a task, which a previous coordinator started and which still
   * runs elsewhere (see `Dispatcher.recover`), before {@linkcode run}: the task is launched
   * first, with that attempt's job id, so the dispatcher attaches to it instead of running it
   * again.
   */
  reattach(taskId: string, attempt: number): void {
    const task = this.#byId.get(taskId);
    if (!task || task.state !== "pending" || attempt < 1) return;
    task.attempts = attempt - 1;
    task.retry_base = Math.min(task.retry_base ?? 0, attempt - 1);
    this.#reattached.add(task.id);
  }

  /**
   * Applies the outcome of an attempt a previous coordinator started (see
   * `Dispatcher.recover`), before {@linkcode run}.
   */
  adopt(outcome: TaskOutcome): void {
    const task = this.#byId.get(outcome.task_id);
    if (!task || task.state === "done") return;
    task.attempts = Math.max(task.attempts, outcome.attempt);
    this.#finish(task, outcome, false);
  }

  #finish(task: TaskRecord, outcome: TaskOutcome, pump = true): void {
    this.#running.delete(task.id);
    // The worker goes with the session it holds: an outcome made without one (stopped while
    // queued again, after a worker had started it) must not unname the session's worker.
    if (outcome.session_id || !task.session_id) task.worker = outcome.worker;
    if (outcome.session_id) task.session_id = outcome.session_id;
    task.backend_session_id = outcome.backend_session_id;
    task.model = outcome.model;
    task.exit_code = outcome.exit_code;
    task.error = outcome.error ?? null;
    task.error_class = outcome.error_class ?? null;
    task.duration_seconds = outcome.duration_seconds;
    task.output = outcome.content;
    task.workdir = outcome.workdir || task.workdir;
    task.check = outcome.check ?? null;
    if (outcome.argv) task.argv = outcome.argv;
    task.token_usage = addUsage(task.token_usage, outcome.usage);
    this.#record.token_usage = addUsage(this.#record.token_usage, outcome.usage);
    const turnOk = outcome.exit_code === 0;
    if (turnOk && (outcome.check?.passed ?? true)) {
      this.#end(task, "done");
    } else if (this.#stopped) {
      this.#end(task, "canceled", this.#stopReason);
    } else if (turnOk) {
      task.error = `check failed (exit ${outcome.check!.exit_code}): ${outcome.check!.command}`;
      task.error_class = "check";
      this.#end(task, "failed");
      this.#afterFailure(task);
    } else if (
      isRetryable(outcome.error_class) &&
      task.attempts - (task.retry_base ?? 0) <= task.spec.retries
    ) {
      const delayMs = retryDelayMs(
        task.spec.retry_delay_seconds,
        task.attempts,
        this.#hooks.random,
      );
      task.state = "pending";
      this.#notBefore.set(task.id, this.#hooks.now().getTime() + delayMs);
      this.#hooks.emit({
        type: "task_retry",
        run_id: this.#record.id,
        task_id: task.id,
        attempt: task.attempts,
        delay_seconds: delayMs / 1000,
        error: outcome.error ?? `exit code ${outcome.exit_code}`,
        error_class: outcome.error_class!,
        time: this.#hooks.now().toISOString(),
      });
    } else {
      this.#end(task, "failed");
      this.#afterFailure(task);
    }
    this.#checkBudget();
    this.#hooks.changed();
    if (pump) this.#pump();
  }

  #afterFailure(task: TaskRecord): void {
    if (this.#record.options.fail_fast) {
      this.stop("fail_fast", `fail-fast: task ${task.id} failed`);
    }
  }

  #checkBudget(): void {
    const max = this.#record.options.max_tokens;
    if (!max || this.#stopped) return;
    let used = this.#record.token_usage.total;
    for (const running of this.#running.values()) used += running.usage;
    if (used <= max) return;
    this.#hooks.emit({
      type: "budget_exceeded",
      run_id: this.#record.id,
      max_tokens: max,
      used,
      time: this.#hooks.now().toISOString(),
    });
    this.stop("budget", `token budget of ${max} exceeded (${used} used)`);
  }

  /** Moves a task to a final state and says so. */
  #end(task: TaskRecord, state: "done" | "failed" | "skipped" | "canceled", reason?: string): void {
    const time = this.#hooks.now().toISOString();
    task.state = state;
    task.reason = reason ?? null;
    if (task.started_at && !task.ended_at) task.ended_at = time;
    this.#hooks.emit({
      type: "task_done",
      run_id: this.#record.id,
      task_id: task.id,
      backend: task.spec.backend,
      state,
      session_id: task.session_id,
      exit_code: task.exit_code ?? null,
      duration_seconds: task.duration_seconds ?? null,
      token_usage: task.token_usage,
      ...(task.error && state !== "done" ? { error: task.error } : {}),
      ...(reason ? { reason } : {}),
      ...(task.check ? { check: task.check } : {}),
      time,
    });
  }
}

function verb(state: string): string {
  return state === "failed" ? "failed" : state === "skipped" ? "was skipped" : "was canceled";
}

/** The outcome of a job whose dispatcher broke (a bug or a lost connection, not the task). */
function brokenDispatch(job: TaskJob, error: unknown, now: Date): TaskOutcome {
  return unstartedOutcome(job, {
    exit_code: 1,
    error: `the task could not be run: ${error instanceof Error ? error.message : String(error)}`,
    error_class: "setup",
    time: now,
  });
}
