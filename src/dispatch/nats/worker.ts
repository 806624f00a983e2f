/**
 * `clinvk worker`'s engine: takes tasks from the NATS work queue and runs each through the
 * same task executor as the local pool (so every task is a real session in this machine's
 * store, where the backend's own transcript is), while it
 *
 * - pulls only the subjects of the backends it offers (and its own, for sessions it holds),
 *   only while it has a free slot;
 * - claims each delivery on the server (`claim.ts`), so a task runs once at a time and a
 *   finished one never again;
 * - while it holds the claim (`held_claim.ts`), tells the server it is still at work every
 *   third of the ack wait (`working()`), so a silent worker's task goes to another worker and a
 *   busy one's does not;
 * - publishes the task's unified events live, writes its outcome into the job's state, and
 *   only then acknowledges the message;
 * - keeps running its tasks while the connection is lost, and writes their results once it is
 *   back;
 * - on a graceful stop finishes what runs and takes nothing new; on a forced stop stops its
 *   backends and gives their tasks back to the queue.
 * @module
 */
import type { JsMsg } from "@nats-io/jetstream";
import type { Subscription } from "@nats-io/transport-node";
import { STOP_SIGNALS, StopRequest } from "../../platform/stop_signals.ts";
import { type TaskJob, type TaskOutcome, unstartedOutcome } from "../../runs/dispatcher.ts";
import { markSessionsInterrupted } from "../../runs/local_pool.ts";
import { executeTask } from "../../runs/task_executor.ts";
import type { WorkdirPolicy } from "../../server/workdir_policy.ts";
import type { TurnDeps } from "../../turns/engine.ts";
import { type Claim, claimDelivery } from "./claim.ts";
import { connectNats, type NatsLink } from "./connection.ts";
import { HeldClaim } from "./held_claim.ts";
import { type JobState, readJob, updateJob } from "./job_state.ts";
import { type CancelMessage, decode, encode, parseJob, type PingReply } from "./messages.ts";
import { Puller, Slots } from "./pull_loop.ts";
import { ensureConsumer, openQueue, type Queue } from "./streams.ts";
import {
  CANCEL_SUBJECT,
  consumerName,
  eventsSubject,
  jobKey,
  pingSubject,
  REVISION_HEADER,
  taskSubject,
  workerTaskSubject,
} from "./subjects.ts";
import { AD_INTERVAL_MS, putAd, removeAd } from "./worker_ad.ts";
import { lockWorker, WorkerJournal } from "./worker_home.ts";
import { refusal } from "./worker_policy.ts";

/** How a worker is set up. */
export interface WorkerOptions {
  /** The turn engine's dependencies: this machine's platform, config and session store. */
  deps: TurnDeps;
  /** `CLINVK_HOME`. */
  home: string;
  /** The NATS address, as the user gave it. */
  url: string;
  id: string;
  /** Backends to take tasks of (installed ones). */
  backends: readonly string[];
  pool?: string;
  maxParallel: number;
  ackWaitMs: number;
  /** Where tasks may run. */
  policy: WorkdirPolicy;
  /** One line for the worker's log (stderr). */
  say(line: string): void;
}

/** A running worker. */
export interface RunningWorker {
  readonly id: string;
  /** The NATS address without credentials. */
  readonly address: string;
  /** Subjects it pulls from. */
  readonly subjects: readonly string[];
  /** Tasks running now. */
  running(): number;
  /**
   * Stops it. `drain`: take no new task, finish the running ones. `now`: also stop the running
   * backends (with `signal`) and give their tasks back to the queue.
   */
  stop(mode: "drain" | "now", signal?: "SIGINT" | "SIGTERM" | "SIGHUP"): void;
  /** Resolves once it has stopped and let go of everything. */
  readonly done: Promise<void>;
}

/** One task being run. */
interface RunningTask {
  job: TaskJob;
  /** Its delivery and its state on the server. */
  claim: HeldClaim;
  /** The consumer it came from. */
  consumer: string;
  controller: AbortController;
  /** Set when the task goes back to the queue instead of reporting (forced stop, logged out). */
  givingBack: boolean;
  /** KV writes of this task, one after the other. */
  writes: Promise<void>;
}

/**
 * Starts a worker: connects, takes its lock, cleans up after a previous run of it that was
 * killed, and begins pulling tasks.
 *
 * @throws {ClinvkError} exit 5 when a worker with this id already runs in this home, exit 7
 * when the NATS server cannot be reached, exit 2 for a bad address or credentials file.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { deps, home, id } = options;
  const { platform } = deps;
  const lease = await lockWorker(
    platform.fs,
    home,
    id,
    platform.pid,
    platform.clock.now().toISOString(),
  );
  let link: NatsLink;
  let queue: Queue;
  try {
    link = await connectNats({
      url: options.url,
      config: deps.config,
      env: platform.env,
      fs: platform.fs,
      name: `clinvk worker ${id}`,
      onStatus: options.say,
    });
    try {
      queue = await openQueue(link.nc);
    } catch (error) {
      await link.nc.close();
      throw error;
    }
  } catch (error) {
    await lease.release();
    throw error;
  }
  const worker = new Worker(options, link, queue);
  try {
    await worker.start();
  } catch (error) {
    await worker.close();
    await lease.release();
    throw error;
  }
  const done = worker.finished.finally(() => lease.release());
  return {
    id,
    address: link.address.display,
    subjects: worker.subjects,
    running: () => worker.runningCount,
    stop: (mode, signal) => worker.stop(mode, signal),
    done,
  };
}

class Worker {
  readonly #options: WorkerOptions;
  readonly #link: NatsLink;
  readonly #queue: Queue;
  readonly #journal: WorkerJournal;
  readonly #slots: Slots;
  readonly #running = new Map<string, RunningTask>();
  readonly #subs: Subscription[] = [];
  readonly #finished = Promise.withResolvers<void>();
  readonly #loggedOut = new Set<string>();
  readonly subjects: string[];
  #puller: Puller | undefined;
  #adTimer: ReturnType<typeof setInterval> | undefined;
  #draining = false;
  #closed = false;
  readonly #startedAt: string;

  constructor(options: WorkerOptions, link: NatsLink, queue: Queue) {
    this.#options = options;
    this.#link = link;
    this.#queue = queue;
    const { platform } = options.deps;
    this.#journal = new WorkerJournal(platform.fs, options.home, options.id);
    this.#slots = new Slots(options.maxParallel);
    this.#startedAt = platform.clock.now().toISOString();
    this.subjects = [
      ...options.backends.map((backend) => taskSubject(backend, options.pool)),
      workerTaskSubject(options.id),
    ];
  }

  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  async start(): Promise<void> {
    await this.#recoverJournal();
    for (const subject of this.subjects) {
      await ensureConsumer(this.#queue, subject, this.#options.ackWaitMs);
    }
    const { nc } = this.#link;
    this.#subs.push(nc.subscribe(pingSubject(this.#options.id), {
      callback: (_error, message) => {
        const key = new TextDecoder().decode(message.data);
        const reply: PingReply = { worker: this.#options.id, running: this.#running.has(key) };
        message.respond(encode(reply));
      },
    }));
    this.#subs.push(nc.subscribe(CANCEL_SUBJECT, {
      callback: (_error, message) => {
        const cancel = decode<CancelMessage>(message.data);
        if (!cancel) return;
        for (const task of this.#running.values()) {
          if (task.job.job_id === cancel.job_id && !task.controller.signal.aborted) {
            this.#options.say(
              `task ${task.job.task_id} of run ${task.job.run_id}: stopped by its run`,
            );
            const signal = STOP_SIGNALS.includes(cancel.signal) ? cancel.signal : "SIGINT";
            task.controller.abort(new StopRequest(signal));
          }
        }
      },
    }));
    await this.#advertise();
    this.#adTimer = setInterval(() => void this.#advertise(), AD_INTERVAL_MS);
    this.#puller = new Puller({
      js: this.#queue.js,
      consumers: this.subjects.map(consumerName),
      slots: this.#slots,
      deliver: (message) => void this.#handle(message),
      repair: async (consumer) => {
        const subject = this.subjects.find((s) => consumerName(s) === consumer);
        if (subject) await ensureConsumer(this.#queue, subject, this.#options.ackWaitMs);
      },
      sleep: (ms) => this.#options.deps.platform.sleep(ms),
      say: this.#options.say,
      skip: (consumer) => this.#skipped(consumer),
    });
    this.#puller.start();
  }

  /** A consumer of a backend this worker stopped taking (it answered "not logged in"). */
  #skipped(consumer: string): boolean {
    for (const backend of this.#loggedOut) {
      if (consumerName(taskSubject(backend, this.#options.pool)) === consumer) return true;
    }
    return false;
  }

  /**
   * Jobs left in the journal were running when this worker was killed: their half-run sessions
   * are marked `error`, and their claims handed back so the queue gives them out at once.
   */
  async #recoverJournal(): Promise<void> {
    const entries = await this.#journal.entries();
    if (entries.length === 0) return;
    const { deps, id, say } = this.#options;
    await markSessionsInterrupted(
      deps,
      entries.flatMap((entry) => entry.session_id ? [entry.session_id] : []),
      `interrupted: worker ${id} stopped in the middle of this task, which was given to the ` +
        "queue again",
    );
    let requeued = 0;
    for (const entry of entries) {
      const current = await readJob(this.#queue.jobs, entry.key).catch(() => undefined);
      if (current?.state.state === "running" && current.state.worker === id) {
        const queued: JobState = {
          state: "queued",
          job_id: current.state.job_id,
          subject: current.state.subject,
          queued_at: current.state.started_at,
        };
        const written = await updateJob(this.#queue.jobs, entry.key, queued, current.revision)
          .catch(() => undefined);
        if (written !== undefined) requeued++;
      }
      await this.#journal.remove(entry.key);
    }
    // Another worker may have taken a task over (or finished it) while this one was down.
    const elsewhere = entries.length - requeued;
    say(
      `${entries.length} task(s) were running when this worker last stopped; their sessions ` +
        "here are marked error; " +
        [
          ...(requeued > 0 ? [`${requeued} went back to the queue`] : []),
          ...(elsewhere > 0 ? [`${elsewhere} had already gone to another worker`] : []),
        ].join(", "),
    );
  }

  async #advertise(): Promise<void> {
    const { id, backends, pool, maxParallel, deps } = this.#options;
    try {
      await putAd(this.#queue.workers, {
        id,
        backends: backends.filter((b) => !this.#loggedOut.has(b)),
        pool: pool ?? null,
        subjects: this.subjects,
        max_parallel: maxParallel,
        running: this.#running.size,
        draining: this.#draining,
        logged_out: [...this.#loggedOut],
        pid: deps.platform.pid,
        started_at: this.#startedAt,
      }, deps.platform.clock.now());
    } catch {
      // Disconnected: renewed on a later tick.
    }
  }

  /** Takes one delivery (a slot is already taken for it) and gives the slot back after. */
  async #handle(message: JsMsg): Promise<void> {
    try {
      await this.#take(message);
    } finally {
      this.#slots.release();
      this.#maybeFinished();
    }
  }

  async #take(message: JsMsg): Promise<void> {
    const parsed = parseJob(message.data);
    if (typeof parsed === "string") {
      this.#options.say(`refused a message on ${message.subject}: not a clinvk task (${parsed})`);
      message.term(parsed);
      return;
    }
    const job = parsed;
    const key = jobKey(job.run_id, job.task_id, job.attempt);
    const already = this.#running.get(key);
    if (already) {
      // Redelivered to us while we run it (our heartbeats were lost for a while): keep going,
      // and answer this delivery from now on.
      already.claim.message = message;
      return;
    }
    let claim: Claim;
    try {
      claim = await claimDelivery({
        jobs: this.#queue.jobs,
        worker: this.#options.id,
        now: () => this.#options.deps.platform.clock.now(),
        holderRunning: (holder, heldKey) => this.#holderRunning(holder, heldKey),
      }, {
        job,
        key,
        subject: message.subject,
        seq: message.seq,
        queuedRevision: queuedRevision(message),
      });
    } catch (error) {
      this.#options.say(
        `cannot claim task ${job.task_id} of run ${job.run_id}: ${(error as Error).message}; ` +
          "it goes back to the queue",
      );
      message.nak(1000);
      return;
    }
    if (claim.kind === "drop") return message.ack();
    if (claim.kind === "later") return message.nak(this.#options.ackWaitMs);
    const task: RunningTask = {
      job,
      claim: new HeldClaim(
        {
          nc: this.#link.nc,
          jobs: this.#queue.jobs,
          sleep: (ms) => this.#options.deps.platform.sleep(ms),
        },
        key,
        claim,
        message,
      ),
      consumer: consumerName(message.subject),
      controller: new AbortController(),
      givingBack: false,
      writes: Promise.resolve(),
    };
    this.#running.set(key, task);
    try {
      await this.#run(task);
    } finally {
      this.#running.delete(key);
    }
  }

  async #holderRunning(holder: string, key: string): Promise<boolean> {
    try {
      const reply = await this.#link.nc.request(pingSubject(holder), key, { timeout: 2000 });
      return decode<PingReply>(reply.data)?.running === true;
    } catch {
      return false;
    }
  }

  async #run(task: RunningTask): Promise<void> {
    const { deps, id, say, ackWaitMs, policy } = this.#options;
    const { job } = task;
    const label = `task ${job.task_id} of run ${job.run_id}`;
    const heartbeat = setInterval(
      () => task.claim.heartbeat(),
      Math.max(200, Math.floor(ackWaitMs / 3)),
    );
    try {
      const refused = await refusal(deps.platform.fs, deps.store, policy, job);
      let outcome: TaskOutcome;
      if (refused) {
        say(`refused ${label}: ${refused}`);
        // Exit 2, nothing ran.
        outcome = unstartedOutcome(job, {
          exit_code: 2,
          error: `worker ${id} refused the task: ${refused}`,
          error_class: "setup",
          time: deps.platform.clock.now(),
        });
      } else {
        say(`running ${label} (${job.backend})`);
        outcome = await executeTask(deps, job, {
          onEvent: (event) => this.#publish(eventsSubject(job.run_id), encode(event)),
          onSession: ({ session_id }) => this.#noteSession(task, session_id),
        }, task.controller.signal);
      }
      outcome = { ...outcome, worker: id };
      if (outcome.error_class === "auth" && !refused && this.#mayGiveBack(task)) {
        this.#logOut(job.backend, outcome.error ?? "not logged in");
        task.givingBack = true;
      }
      await task.writes;
      const held = task.givingBack ? await task.claim.giveBack() : await task.claim.report(outcome);
      if (!held) {
        say(
          `${label} was given to another worker while this one was cut off; its result here ` +
            "is not reported" +
            (outcome.session_id ? ` (session ${outcome.session_id} stays in this store)` : ""),
        );
      } else if (task.givingBack) {
        say(`gave ${label} back to the queue`);
      } else {
        say(
          `${label}: ${outcome.exit_code === 0 ? "done" : `failed (exit ${outcome.exit_code})`}` +
            `${outcome.session_id ? `, session ${outcome.session_id}` : ""}`,
        );
      }
      // Not waited for: a leftover entry of a finished task only makes a restarted worker look
      // at a session that is already completed (and leave it so).
      this.#journal.remove(task.claim.key).catch(() => {});
    } catch (error) {
      // The store or the journal failed under us: leave the task to the queue's redelivery.
      say(`${label}: ${(error as Error).message}`);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** A task from a shared subject can go to another worker; one for this worker cannot. */
  #mayGiveBack(task: RunningTask): boolean {
    return task.consumer !== consumerName(workerTaskSubject(this.#options.id));
  }

  #logOut(backend: string, reason: string): void {
    if (this.#loggedOut.has(backend)) return;
    this.#loggedOut.add(backend);
    this.#options.say(
      `${backend} is not logged in on this machine (${reason}); taking no more ${backend} tasks. ` +
        `Log in (run ${backend} once), then restart the worker.`,
    );
    void this.#advertise();
  }

  #noteSession(task: RunningTask, sessionId: string): void {
    this.#queueWrite(task, async () => {
      await this.#journal.write({
        key: task.claim.key,
        job_id: task.job.job_id,
        session_id: sessionId,
        started_at: task.claim.state.started_at,
      });
      await task.claim.noteSession(sessionId);
    });
  }

  #queueWrite(task: RunningTask, write: () => Promise<void>): void {
    task.writes = task.writes.then(write).catch((error) => {
      this.#options.say(`task ${task.job.task_id}: ${(error as Error).message}`);
    });
  }

  #publish(subject: string, data: Uint8Array): void {
    if ((this.#link.nc.info?.max_payload ?? Infinity) < data.length) return;
    try {
      this.#link.nc.publish(subject, data);
    } catch {
      // Live events are best effort; the session has the full record.
    }
  }

  stop(mode: "drain" | "now", signal: "SIGINT" | "SIGTERM" | "SIGHUP" = "SIGTERM"): void {
    if (!this.#draining) {
      this.#draining = true;
      void this.#advertise();
      void this.#puller?.stop().then(() => this.#maybeFinished());
    }
    if (mode === "now") {
      for (const task of this.#running.values()) {
        if (task.controller.signal.aborted) continue;
        task.givingBack = this.#mayGiveBack(task);
        task.controller.abort(new StopRequest(signal));
      }
    }
    this.#maybeFinished();
  }

  #maybeFinished(): void {
    // Slots in use include deliveries still being claimed, not only running tasks.
    if (!this.#draining || this.#slots.used > 0 || this.#closed) return;
    this.#closed = true;
    void this.close().finally(() => this.#finished.resolve());
  }

  /** Lets go of the server: stops pulling, withdraws the advertisement, closes the link. */
  async close(): Promise<void> {
    clearInterval(this.#adTimer);
    await this.#puller?.stop();
    for (const sub of this.#subs) sub.unsubscribe();
    await removeAd(this.#queue.workers, this.#options.id).catch(() => {});
    await this.#link.nc.drain().catch(() => this.#link.nc.close());
  }
}

/** The revision of the job's `queued` state the coordinator published it with, if any. */
function queuedRevision(message: JsMsg): number | undefined {
  const value = Number(message.headers?.get(REVISION_HEADER));
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
