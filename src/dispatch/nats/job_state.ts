/**
 * The state of each job on the NATS server, one key-value entry per job id: who knows about it
 * and how far it got. Every change is a compare-and-set on the entry's revision, so exactly one
 * coordinator queues a job, exactly one worker runs a delivery of it, and a result is written
 * once — whatever crashes, restarts or resends happen around it.
 *
 * ```
 * queued ──(a worker claims the delivery)──> running ──(the turn ends)──> done
 *    └──(the coordinator stops it before any worker did)──> canceled
 * ```
 * @module
 */
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { TaskOutcome } from "../../runs/dispatcher.ts";

/** A job waiting in the queue. */
export interface QueuedJob {
  state: "queued";
  job_id: string;
  /** The subject it was published to. */
  subject: string;
  queued_at: string;
}

/** A job a worker is running. */
export interface RunningJob {
  state: "running";
  job_id: string;
  subject: string;
  worker: string;
  /** Stream sequence of the message the worker claimed: tells a redelivery from a resend. */
  seq: number;
  started_at: string;
  /** The clinvk session in the worker's store, once it exists. */
  session_id?: string;
}

/** A job that ended; `outcome.worker` names the worker holding its session. */
export interface DoneJob {
  state: "done";
  job_id: string;
  outcome: TaskOutcome;
}

/** A job stopped before any worker started it. */
export interface CanceledJob {
  state: "canceled";
  job_id: string;
  reason: string;
}

/** What the server knows about one job. */
export type JobState = QueuedJob | RunningJob | DoneJob | CanceledJob;

/** A job state and the revision to compare-and-set against. */
export interface JobEntry {
  state: JobState;
  revision: number;
}

function conflict(error: unknown): boolean {
  return error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

/** Decodes an entry's value; `undefined` for a deleted entry or one clinvk did not write. */
export function decodeJobState(value: Uint8Array): JobState | undefined {
  if (value.length === 0) return undefined;
  try {
    const state = JSON.parse(new TextDecoder().decode(value)) as JobState;
    return typeof state?.state === "string" && typeof state.job_id === "string" ? state : undefined;
  } catch {
    return undefined;
  }
}

/** The state of job `key`, or `undefined` when the server has none. */
export async function readJob(kv: KV, key: string): Promise<JobEntry | undefined> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== "PUT") return undefined;
  const state = decodeJobState(entry.value);
  return state ? { state, revision: entry.revision } : undefined;
}

/** Writes the first state of job `key`; `undefined` when the job already has one. */
export async function createJob(
  kv: KV,
  key: string,
  state: JobState,
): Promise<number | undefined> {
  try {
    return await kv.create(key, JSON.stringify(state));
  } catch (error) {
    if (conflict(error)) return undefined;
    throw error;
  }
}

/**
 * Moves job `key` to `state` if it is still at `revision`; `undefined` when someone changed it
 * first.
 */
export async function updateJob(
  kv: KV,
  key: string,
  state: JobState,
  revision: number,
): Promise<number | undefined> {
  try {
    return await kv.update(key, JSON.stringify(state), revision);
  } catch (error) {
    if (conflict(error)) return undefined;
    throw error;
  }
}
