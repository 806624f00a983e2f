/**
 * The NATS dispatcher: the run engine's {@linkcode Dispatcher} for `--dispatch nats://…`. Each
 * job is published to its subject (`clinvk.tasks.<backend>[.<pool>]`, or the subject of the
 * worker holding the session it continues) with its job id as the message id, so the server
 * refuses a second copy; its state on the server (`job_state.ts`) says who runs it and, at the
 * end, holds its outcome — which is how `runs resume` finds results published while this
 * process was dead. Live events come on the run's events subject.
 *
 * Aborting a job that no worker took yet cancels it on the server; one already running gets a
 * cancel message, and its worker stops the backend and reports.
 * @module
 */
import type { KvWatchEntry } from "@nats-io/kv";
import { headers, type QueuedIterator, type Subscription } from "@nats-io/transport-node";
import type { Config } from "../../config/schema.ts";
import { signalExitCode, stopSignalOf } from "../../platform/stop_signals.ts";
import type { Env, Fs } from "../../platform/types.ts";
import {
  type Dispatcher,
  type JobHandlers,
  type JobRecovery,
  type RecoverableJob,
  type TaskEvent,
  type TaskJob,
  type TaskOutcome,
  unstartedOutcome,
} from "../../runs/dispatcher.ts";
import { connectNats } from "./connection.ts";
import {
  createJob,
  decodeJobState,
  type JobEntry,
  type JobState,
  readJob,
  updateJob,
} from "./job_state.ts";
import { type CancelMessage, decode, encode } from "./messages.ts";
import { openQueue, type Queue } from "./streams.ts";
import {
  CANCEL_SUBJECT,
  checkName,
  eventsSubject,
  jobKey,
  REVISION_HEADER,
  taskSubject,
  workerTaskSubject,
} from "./subjects.ts";
import { liveAds } from "./worker_ad.ts";

/** What {@linkcode natsDispatcher} needs. */
export interface NatsDispatcherOptions {
  /** The address as given (`--dispatch` or `dispatch.url`). */
  url: string;
  /** Pool of workers the tasks go to (`dispatch.pool`). */
  pool?: string;
  config: Config;
  env: Env;
  fs: Fs;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Says something once (a warning line). */
  warn(message: string): void;
}

/** How long a stopped job's worker has to confirm before the job is given up as interrupted. */
const CANCEL_GRACE_MS = 15_000;

/** What follows one run: the watch on its job states and its events subscription. */
interface RunFollow {
  watch: QueuedIterator<KvWatchEntry>;
  events: Subscription;
}

/** One job this process follows. */
interface Followed {
  job: TaskJob;
  key: string;
  handlers: JobHandlers;
  /** Highest revision applied, so a late watch update never goes backwards. */
  revision: number;
  session?: string;
  /** The worker that last claimed it, to tell the user when the job moves. */
  worker?: string;
  resolve(outcome: TaskOutcome): void;
  done: boolean;
  /** Settles when the job is resolved. */
  ended: Promise<TaskOutcome>;
}

/**
 * Connects to the NATS server and returns the dispatcher.
 *
 * @throws {ClinvkError} exit 2 for a bad address or pool name, exit 7 when the server cannot be
 * reached or has no JetStream.
 */
export async function natsDispatcher(options: NatsDispatcherOptions): Promise<Dispatcher> {
  const pool = options.pool ? checkName(options.pool, "pool name") : undefined;
  const link = await connectNats({
    url: options.url,
    config: options.config,
    env: options.env,
    fs: options.fs,
    name: "clinvk coordinator",
    onStatus: options.warn,
  });
  let queue: Queue;
  try {
    queue = await openQueue(link.nc);
  } catch (error) {
    await link.nc.close();
    throw error;
  }
  return new NatsDispatcher(queue, link.address.display, pool, options);
}

class NatsDispatcher implements Dispatcher {
  readonly name: string;
  readonly ref: { url: string; pool?: string };
  readonly #queue: Queue;
  readonly #pool: string | undefined;
  readonly #options: NatsDispatcherOptions;
  readonly #followed = new Map<string, Followed>();
  readonly #byJobId = new Map<string, Followed>();
  /** Per run: its state watch and events subscription. */
  readonly #runs = new Map<string, Promise<RunFollow>>();
  /** Jobs `recover` found still queued or running: followed, never published again. */
  readonly #inFlight = new Set<string>();
  readonly #checkedSubjects = new Set<string>();

  constructor(
    queue: Queue,
    address: string,
    pool: string | undefined,
    options: NatsDispatcherOptions,
  ) {
    this.#queue = queue;
    this.#pool = pool;
    this.#options = options;
    this.name = pool ? `${address} (pool ${pool})` : address;
    this.ref = pool ? { url: address, pool } : { url: address };
  }

  async run(job: TaskJob, handlers: JobHandlers, signal: AbortSignal): Promise<TaskOutcome> {
    await this.#followRun(job.run_id);
    const key = jobKey(job.run_id, job.task_id, job.attempt);
    const result = Promise.withResolvers<TaskOutcome>();
    const followed: Followed = {
      job,
      key,
      handlers,
      revision: 0,
      resolve: (outcome) => {
        if (followed.done) return;
        followed.done = true;
        this.#followed.delete(key);
        this.#byJobId.delete(job.job_id);
        result.resolve(outcome);
      },
      done: false,
      ended: result.promise,
    };
    this.#followed.set(key, followed);
    this.#byJobId.set(job.job_id, followed);
    const onAbort = () => void this.#abort(followed, signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal.aborted) {
        followed.resolve(
          stoppedOutcome(job, signal.reason, this.#options.now(), "before it was queued"),
        );
      } else {
        await this.#submit(followed);
      }
      return await result.promise;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** Queues the job (once), or picks up where it is when the server already knows it. */
  async #submit(followed: Followed): Promise<void> {
    const { job, key } = followed;
    const subject = job.worker
      ? workerTaskSubject(job.worker)
      : taskSubject(job.backend, this.#pool);
    this.#checkSubject(subject, job);
    // A job `recover` found in flight is known to the server: only follow it.
    const known = this.#inFlight.delete(job.job_id);
    const entry = known ? await this.#retrying(() => readJob(this.#queue.jobs, key)) : undefined;
    if (!entry) {
      const queued: JobState = {
        state: "queued",
        job_id: job.job_id,
        subject,
        queued_at: this.#options.now().toISOString(),
      };
      const created = await this.#retrying(() => createJob(this.#queue.jobs, key, queued));
      if (created !== undefined) {
        await this.#publish(subject, job, created);
        return;
      }
      // Another coordinator of this run (a resubmission) queued it first: follow that one.
      return await this.#follow(followed);
    }
    await this.#follow(followed, entry);
  }

  /** Applies the job's state as the server has it, publishing it again if it is only queued. */
  async #follow(followed: Followed, known?: JobEntry): Promise<void> {
    const { job, key } = followed;
    const entry = known ?? await this.#retrying(() => readJob(this.#queue.jobs, key));
    if (!entry) return;
    this.#apply(followed, entry.state, entry.revision);
    // A coordinator killed between queueing and publishing left a state without a message:
    // publish again (the server drops the copy if the first one did arrive).
    if (entry.state.state === "queued") {
      await this.#publish(entry.state.subject, job, entry.revision);
    }
  }

  async #publish(subject: string, job: TaskJob, revision: number): Promise<void> {
    const head = headers();
    head.set(REVISION_HEADER, String(revision));
    await this.#retrying(() =>
      this.#queue.js.publish(subject, encode(job), { msgID: job.job_id, headers: head })
    );
  }

  /**
   * Runs `fn` until it succeeds, waiting while the server is away (it is restarting, or the
   * network is down); gives up only when the connection is closed.
   */
  async #retrying<T>(fn: () => Promise<T>): Promise<T> {
    let warned = false;
    for (let wait = 250;; wait = Math.min(wait * 2, 5000)) {
      try {
        return await fn();
      } catch (error) {
        if (this.#queue.nc.isClosed()) throw error;
        if (!warned) {
          warned = true;
          this.#options.warn(
            `the NATS server does not answer (${(error as Error).message}); retrying`,
          );
        }
        await this.#options.sleep(wait);
      }
    }
  }

  /** Starts following a run's job states and events (once per run). */
  #followRun(runId: string): Promise<RunFollow> {
    let follow = this.#runs.get(runId);
    if (!follow) {
      follow = this.#startFollowing(runId);
      this.#runs.set(runId, follow);
    }
    return follow;
  }

  async #startFollowing(runId: string): Promise<RunFollow> {
    const events = this.#queue.nc.subscribe(eventsSubject(runId), {
      callback: (_error, message) => {
        const event = decode<TaskEvent>(message.data);
        if (!event || typeof event.job_id !== "string") return;
        const followed = this.#byJobId.get(event.job_id);
        if (followed && !followed.done) followed.handlers.onEvent(event);
      },
    });
    const watch = await this.#retrying(() => this.#queue.jobs.watch({ key: `${runId}.>` }));
    void (async () => {
      for await (const entry of watch) {
        const followed = this.#followed.get(entry.key);
        if (!followed || entry.operation !== "PUT") continue;
        const state = decodeJobState(entry.value);
        if (state) this.#apply(followed, state, entry.revision);
      }
    })().catch(() => {});
    return { watch, events };
  }

  #apply(followed: Followed, state: JobState, revision: number): void {
    if (followed.done || revision <= followed.revision) return;
    followed.revision = revision;
    const label = `task ${followed.job.task_id}`;
    switch (state.state) {
      case "queued":
        if (followed.worker) {
          this.#options.warn(
            `${label} went back to the queue (worker ${followed.worker} gave it up); ` +
              "it runs again on the next worker that takes it",
          );
          followed.worker = undefined;
        }
        break;
      case "running":
        if (followed.worker && followed.worker !== state.worker) {
          this.#options.warn(
            `${label}: worker ${followed.worker} stopped answering, so the task runs again on ` +
              `worker ${state.worker}`,
          );
        }
        followed.worker = state.worker;
        if (state.session_id && state.session_id !== followed.session) {
          followed.session = state.session_id;
          followed.handlers.onSession?.({ session_id: state.session_id, worker: state.worker });
        }
        break;
      case "done":
        followed.resolve({ ...state.outcome, task_id: followed.job.task_id });
        break;
      case "canceled":
        followed.resolve(
          stoppedOutcome(followed.job, undefined, this.#options.now(), "before a worker took it"),
        );
        break;
    }
  }

  /** Stops a job: canceled on the server if no worker has it yet, else its worker is told. */
  async #abort(followed: Followed, reason: unknown): Promise<void> {
    const { job, key } = followed;
    const signal = stopSignalOf(reason);
    try {
      for (let round = 0; round < 5 && !followed.done; round++) {
        const entry = await readJob(this.#queue.jobs, key);
        if (!entry || entry.state.state === "queued") {
          const canceled: JobState = { state: "canceled", job_id: job.job_id, reason: signal };
          const revision = entry
            ? await updateJob(this.#queue.jobs, key, canceled, entry.revision)
            : await createJob(this.#queue.jobs, key, canceled);
          if (revision === undefined) continue;
          followed.resolve(
            stoppedOutcome(job, reason, this.#options.now(), "before a worker took it"),
          );
          return;
        }
        if (entry.state.state !== "running") return;
        const message: CancelMessage = { job_id: job.job_id, signal };
        this.#queue.nc.publish(CANCEL_SUBJECT, encode(message));
        break;
      }
    } catch {
      // The server is away: the grace period below still ends the wait.
    }
    if (followed.done) return;
    // The worker reports once its backend stopped; a worker that is gone never does.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CANCEL_GRACE_MS);
      followed.ended.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    followed.resolve(
      stoppedOutcome(job, reason, this.#options.now(), "its worker did not confirm the stop"),
    );
  }

  async recover(runId: string, jobs: readonly RecoverableJob[]): Promise<JobRecovery> {
    await this.#followRun(runId);
    const recovery: JobRecovery = { outcomes: [], running: [] };
    for (const job of jobs) {
      const entry = await this.#retrying(() =>
        readJob(this.#queue.jobs, jobKey(runId, job.task_id, job.attempt))
      );
      const state = entry?.state;
      if (state?.state === "done") recovery.outcomes.push(state.outcome);
      else if (state?.state === "queued" || state?.state === "running") {
        recovery.running.push(job.job_id);
        this.#inFlight.add(job.job_id);
      }
    }
    return recovery;
  }

  /** Warns once per subject when no live worker takes its tasks. */
  #checkSubject(subject: string, job: TaskJob): void {
    if (this.#checkedSubjects.has(subject)) return;
    this.#checkedSubjects.add(subject);
    void liveAds(this.#queue.workers, this.#options.now()).then((ads) => {
      if (ads.some((ad) => ad.subjects.includes(subject) && !ad.draining)) return;
      this.#options.warn(
        job.worker
          ? `worker ${job.worker}, which holds the session task ${job.task_id} continues, is not ` +
            "running; the task waits until it is started again"
          : `no running worker takes ${job.backend} tasks${
            this.#pool ? ` in pool ${this.#pool}` : ""
          } (${subject}); they wait in the queue until one starts (clinvk worker --nats …)`,
      );
    }).catch(() => {});
  }

  async close(): Promise<void> {
    for (const follow of this.#runs.values()) {
      const { watch, events } = await follow.catch(() => ({ watch: undefined, events: undefined }));
      watch?.stop();
      events?.unsubscribe();
    }
    this.#runs.clear();
    await this.#queue.nc.drain().catch(() => this.#queue.nc.close());
  }
}

/** The outcome of a job stopped before (or without) its worker reporting. */
function stoppedOutcome(job: TaskJob, reason: unknown, now: Date, when: string): TaskOutcome {
  const signal = stopSignalOf(reason);
  return unstartedOutcome(job, {
    exit_code: signalExitCode(signal),
    error: `interrupted (${signal}) ${when}`,
    error_class: "interrupted",
    time: now,
  });
}
