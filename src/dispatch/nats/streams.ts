/**
 * The JetStream resources clinvk needs, created on first use by whoever connects first
 * (coordinator or worker) and left alone when they exist: the work-queue stream of tasks, one
 * durable pull consumer per task subject, and the key-value buckets of job states and worker
 * advertisements. Everything is stored on disk, so queued tasks and finished results survive a
 * restart of the server.
 * @module
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { ClinvkError, ExitCode } from "../../errors.ts";
import {
  consumerName,
  JOBS_BUCKET,
  TASKS_PREFIX,
  TASKS_STREAM,
  WORKERS_BUCKET,
} from "./subjects.ts";

const NANOS_PER_MS = 1_000_000;
const DAY_MS = 86_400_000;

/** How long a queued task waits for a worker before the server drops it. */
export const TASK_MAX_AGE_MS = 7 * DAY_MS;
/** How long the server remembers a published job id, refusing the same id again. */
export const DEDUP_WINDOW_MS = 60 * 60_000;
/** How long job states (and so results a dead coordinator missed) are kept. */
export const JOB_STATE_MAX_AGE_MS = 7 * DAY_MS;

/** Handles on clinvk's resources of one connection. */
export interface Queue {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Job states, keyed by `jobKey()`. */
  jobs: KV;
  /** Worker advertisements, keyed by worker id. */
  workers: KV;
}

function jetStreamMissing(error: unknown): ClinvkError {
  const message = error instanceof Error ? error.message : String(error);
  return new ClinvkError(
    `The NATS server has no JetStream (${message})`,
    ExitCode.DispatchUnavailable,
    "Start it with JetStream enabled: nats-server -js (and -sd DIR for where it stores data).",
  );
}

/**
 * Makes sure the stream and buckets exist and returns handles on them.
 *
 * @throws {ClinvkError} exit 7 when the server has no JetStream.
 */
export async function openQueue(nc: NatsConnection): Promise<Queue> {
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (error) {
    throw jetStreamMissing(error);
  }
  try {
    await jsm.streams.info(TASKS_STREAM);
  } catch {
    try {
      await jsm.streams.add({
        name: TASKS_STREAM,
        subjects: [`${TASKS_PREFIX}.>`],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        max_age: TASK_MAX_AGE_MS * NANOS_PER_MS,
        duplicate_window: DEDUP_WINDOW_MS * NANOS_PER_MS,
      });
    } catch (error) {
      // Another process created it meanwhile.
      await jsm.streams.info(TASKS_STREAM).catch(() => {
        throw jetStreamMissing(error);
      });
    }
  }
  const kvm = new Kvm(nc);
  const bucket = (name: string) =>
    kvm.create(name, { history: 1, storage: StorageType.File, ttl: JOB_STATE_MAX_AGE_MS });
  const [jobs, workers] = await Promise.all([bucket(JOBS_BUCKET), bucket(WORKERS_BUCKET)]);
  return { nc, js: jetstream(nc), jsm, jobs, workers };
}

/**
 * Makes sure the durable consumer of `subject` exists, with `ackWaitMs`: a delivered task that
 * is neither acknowledged nor reported as still in progress within that time goes to another
 * worker.
 */
export async function ensureConsumer(
  queue: Queue,
  subject: string,
  ackWaitMs: number,
): Promise<string> {
  const name = consumerName(subject);
  const config = {
    durable_name: name,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ackWaitMs * NANOS_PER_MS,
    // Redelivery is how a task outlives a dead worker; never give up on it.
    max_deliver: -1,
  };
  const existing = await queue.jsm.consumers.info(TASKS_STREAM, name).catch(() => undefined);
  if (!existing) {
    try {
      await queue.jsm.consumers.add(TASKS_STREAM, config);
      return name;
    } catch {
      // Created by another worker meanwhile: fall through and align its settings.
    }
  }
  if (existing?.config.ack_wait !== config.ack_wait) {
    await queue.jsm.consumers.update(TASKS_STREAM, name, { ack_wait: config.ack_wait });
  }
  return name;
}
