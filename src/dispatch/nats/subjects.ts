/**
 * Every name clinvk uses on a NATS server, in one place: the work-queue stream of tasks and its
 * subjects, the durable consumer of each subject, the key-value buckets of job states, and the
 * plain subjects of live events and control messages.
 *
 * ```
 * clinvk.tasks.<backend>            tasks any worker with that backend may take
 * clinvk.tasks.<backend>.<pool>     tasks for the workers of one pool
 * clinvk.tasks.worker.<id>          tasks that continue a session held by one worker
 * clinvk.events.<run-id>            unified events of a run's running tasks (live only)
 * clinvk.control.cancel             "stop job X" from a coordinator to every worker
 * clinvk.control.ping.<id>          "are you alive?" to one worker
 * ```
 * @module
 */
import { usageError } from "../../errors.ts";

/** The work-queue stream holding queued tasks (file storage, so they survive a restart). */
export const TASKS_STREAM = "CLINVK_TASKS";
/** Prefix of every task subject. */
export const TASKS_PREFIX = "clinvk.tasks";
/** The key-value bucket of job states, keyed by {@linkcode jobKey}. */
export const JOBS_BUCKET = "clinvk-jobs";
/** The key-value bucket where workers advertise themselves, keyed by worker id. */
export const WORKERS_BUCKET = "clinvk-workers";
/** Message header carrying the revision of the job's `queued` state (for one-round-trip claims). */
export const REVISION_HEADER = "Clinvk-Queued-Revision";
/** Where a coordinator asks every worker to stop a job. */
export const CANCEL_SUBJECT = "clinvk.control.cancel";

/** Worker ids and pool names: what fits in one subject token and a consumer name. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/**
 * Checks a worker id or pool name (letters, digits and `-`, at most 64).
 *
 * @throws {ClinvkError} exit 2 for anything else, naming `what`.
 */
export function checkName(value: string, what: string): string {
  if (!NAME_PATTERN.test(value)) {
    throw usageError(
      `Invalid ${what} "${value}": use letters, digits and -, at most 64`,
      `Pick another ${what}.`,
    );
  }
  return value;
}

/** The subject of tasks on `backend`, for the workers of `pool` when given. */
export function taskSubject(backend: string, pool?: string): string {
  return pool ? `${TASKS_PREFIX}.${backend}.${pool}` : `${TASKS_PREFIX}.${backend}`;
}

/** The subject of tasks only worker `id` may take (it holds their sessions). */
export function workerTaskSubject(id: string): string {
  return `${TASKS_PREFIX}.worker.${id}`;
}

/**
 * The durable consumer of a task subject: one per subject, shared by every worker that serves
 * it, since a work-queue stream allows one consumer per subject (and NATS before 2.10 filters a
 * consumer on one subject only).
 */
export function consumerName(subject: string): string {
  return subject.slice(TASKS_PREFIX.length + 1).replaceAll(".", "_");
}

/** The subject of a run's live events. */
export function eventsSubject(runId: string): string {
  return `clinvk.events.${runId}`;
}

/** The subject worker `id` answers pings on. */
export function pingSubject(id: string): string {
  return `clinvk.control.ping.${id}`;
}

/**
 * The key of a job in {@linkcode JOBS_BUCKET}: `<run-id>.<task-id>.<attempt>` with the dots of
 * the task id written as `=` (which task ids never contain), so a run's jobs are the keys
 * `<run-id>.>` and no task id can make an empty token.
 */
export function jobKey(runId: string, taskId: string, attempt: number): string {
  return `${runId}.${taskId.replaceAll(".", "=")}.${attempt}`;
}
