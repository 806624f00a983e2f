/**
 * Claiming a delivered task: deciding, from the job's state on the server, whether this worker
 * runs it. Exactly one delivery of a job runs at a time, and a job that finished never runs
 * again:
 *
 * - `queued` (or no state: it expired): claim it.
 * - `running` with another message's sequence: a resend of a job already claimed; drop it.
 * - `running` with this message's sequence: a redelivery — the worker holding it went silent
 *   past the ack wait. Take it over only when that worker no longer runs it (it is gone, or it
 *   restarted); if it is still at work (it was cut off for a while), leave it.
 * - `done` or `canceled`: drop it.
 * @module
 */
import type { KV } from "@nats-io/kv";
import type { TaskJob } from "../../runs/dispatcher.ts";
import { createJob, readJob, type RunningJob, updateJob } from "./job_state.ts";

/** What to do with a delivery. */
export type Claim =
  /** Run it; `revision` is the state's revision for the next compare-and-set. */
  | { kind: "run"; revision: number; state: RunningJob }
  /** Acknowledge and drop it (finished, canceled, or a duplicate). */
  | { kind: "drop"; why: string }
  /** Give it back for later: its holder is still at work. */
  | { kind: "later"; why: string };

/** What {@linkcode claimDelivery} needs. */
export interface ClaimContext {
  jobs: KV;
  /** This worker's id. */
  worker: string;
  now(): Date;
  /** Whether worker `id` answers that it is running job `key` (false when it does not answer). */
  holderRunning(id: string, key: string): Promise<boolean>;
}

/** The delivery being claimed. */
export interface Delivery {
  job: TaskJob;
  key: string;
  subject: string;
  /** Stream sequence of the message. */
  seq: number;
  /** Revision of the job's `queued` state when it was published, if the message says. */
  queuedRevision?: number;
}

/** Decides what to do with `delivery` and, to run it, claims it on the server. */
export async function claimDelivery(context: ClaimContext, delivery: Delivery): Promise<Claim> {
  const { jobs, worker } = context;
  const { job, key, seq, subject } = delivery;
  const running = (): RunningJob => ({
    state: "running",
    job_id: job.job_id,
    subject,
    worker,
    seq,
    started_at: context.now().toISOString(),
  });
  // The usual case in one round trip: still queued as published.
  if (delivery.queuedRevision !== undefined) {
    const state = running();
    const revision = await updateJob(jobs, key, state, delivery.queuedRevision);
    if (revision !== undefined) return { kind: "run", revision, state };
  }
  // A compare-and-set that loses means someone else moved the job: look again.
  for (let round = 0; round < 10; round++) {
    const entry = await readJob(jobs, key);
    if (!entry) {
      const state = running();
      const revision = await createJob(jobs, key, state);
      if (revision !== undefined) return { kind: "run", revision, state };
      continue;
    }
    const current = entry.state;
    if (current.state === "done") return { kind: "drop", why: "it already finished" };
    if (current.state === "canceled") return { kind: "drop", why: "it was canceled" };
    if (current.state === "running") {
      if (current.seq !== seq) return { kind: "drop", why: "it is a resend of a claimed job" };
      if (current.worker !== worker && await context.holderRunning(current.worker, key)) {
        return { kind: "later", why: `worker ${current.worker} is still running it` };
      }
    }
    const state = running();
    const revision = await updateJob(jobs, key, state, entry.revision);
    if (revision !== undefined) return { kind: "run", revision, state };
  }
  return { kind: "later", why: "its state kept changing" };
}
