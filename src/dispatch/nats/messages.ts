/**
 * The messages clinvk sends over NATS, and how a worker reads the ones it receives. A task is a
 * {@linkcode TaskJob} as JSON; anything on a task subject that is not one (another program, an
 * older clinvk) is refused before it can run. The environment a job may set on the worker is
 * limited to clinvk's own nesting counter: workers never take settings, credentials or
 * variables from whoever queued the task.
 * @module
 */
import { z } from "zod";
import type { TaskEvent, TaskJob } from "../../runs/dispatcher.ts";
import { RUN_DEPTH_ENV } from "../../runs/job_builder.ts";
import { TASK_ID_PATTERN } from "../../runs/run_spec.ts";

/** "Stop job X" (from the coordinator to every worker). */
export interface CancelMessage {
  job_id: string;
  /** The signal the backend gets, as the coordinator received it. */
  signal: "SIGINT" | "SIGTERM" | "SIGHUP";
}

/** A worker's answer to a ping. */
export interface PingReply {
  worker: string;
  /** Whether it is running the job whose key was asked about. */
  running: boolean;
}

const text = z.string().max(1_000_000);
const workdir = z.string().min(1).max(4096);
const tags = z.array(z.string().max(200)).max(100);

const targetSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ephemeral"), backend: z.string(), workdir }),
  z.object({
    kind: z.literal("new"),
    backend: z.string(),
    workdir,
    tags,
    title: z.string().max(1000).optional(),
  }),
  z.object({ kind: z.literal("resume"), session_id: z.string().max(64) }),
  z.object({ kind: z.literal("fork"), session_id: z.string().max(64), tags }),
]);

const jobSchema = z.object({
  job_id: z.string().max(200),
  run_id: z.string().regex(/^[a-z0-9]{1,64}$/),
  task_id: z.string().regex(TASK_ID_PATTERN),
  attempt: z.number().int().min(1),
  backend: z.string().regex(/^[a-z0-9-]{1,64}$/),
  target: targetSchema,
  prompt: text,
  model: z.string().max(200).optional(),
  system_prompt: text.optional(),
  timeout_ms: z.number().int().min(0).optional(),
  idle_timeout_ms: z.number().int().min(0).optional(),
  env: z.record(z.string(), z.string()),
  worktree: z.object({
    repo: z.string(),
    branch: z.string(),
    path: z.string(),
    subdir: z.string(),
  }).optional(),
  check: z.string().max(100_000).optional(),
  dry_run: z.boolean().optional(),
  worker: z.string().nullable().optional(),
});

/**
 * Reads a task message. Returns a description of what is wrong instead when it is not a task
 * clinvk can run.
 */
export function parseJob(data: Uint8Array): TaskJob | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return "not JSON";
  }
  const parsed = jobSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue?.path.join(".") || "message"}: ${issue?.message ?? "invalid"}`;
  }
  const job = parsed.data as TaskJob;
  if (job.job_id !== `${job.run_id}.${job.task_id}.${job.attempt}`) {
    return "job_id does not match run_id, task_id and attempt";
  }
  // Only the nesting counter crosses over, as digits: never PATH, credentials or the like.
  const depth = job.env[RUN_DEPTH_ENV];
  job.env = depth !== undefined && /^\d{1,3}$/.test(depth) ? { [RUN_DEPTH_ENV]: depth } : {};
  return job;
}

/** Encodes a message as JSON bytes. */
export function encode(value: TaskJob | TaskEvent | CancelMessage | PingReply): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Decodes a JSON message; `undefined` when it is not JSON. */
export function decode<T>(data: Uint8Array): T | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as T;
  } catch {
    return undefined;
  }
}
