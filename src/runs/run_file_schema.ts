/**
 * The shape of a run file, as zod schemas: clinvk's own fields and, accepted unchanged, those
 * of clinvoker's `tasks` and `steps` JSON files. Validation only; `run_file.ts` turns a valid
 * file into a {@linkcode RunSpec} and gives every problem its `file:line:column`.
 * @module
 */
import { z } from "zod";
import { durationSeconds } from "./duration.ts";
import { TASK_ID_PATTERN } from "./run_spec.ts";

const text = z.string();
const nonEmpty = z.string().trim().min(1, "must not be empty");

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const seconds = durationSeconds(value);
  if (seconds === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected seconds or a duration like 90s, 30m or 1h30m, got ${
        JSON.stringify(value)
      }`,
    });
    return z.NEVER;
  }
  return seconds;
});

const tag = z.string().trim().min(1, "tags must not be empty").refine(
  // deno-lint-ignore no-control-regex
  (value) => !/[\u0000-\u001f\u007f]/.test(value),
  "tags must not contain control characters",
);

const taskId = z.string().regex(
  TASK_ID_PATTERN,
  "task ids are a letter or digit, then letters, digits, '-', '_' or '.' (at most 64)",
);

/** A clinvk session id, or `task:<id>` for another task's session. */
const sessionRef = z.string().trim().min(1, "must not be empty");

/** Fields a task and the `defaults:` block share. */
const sharedFields = {
  backend: nonEmpty.optional(),
  model: nonEmpty.optional(),
  workdir: nonEmpty.optional(),
  /** clinvoker's documentation spells it `work_dir`. */
  work_dir: nonEmpty.optional(),
  ephemeral: z.boolean().optional(),
  timeout: duration.optional(),
  idle_timeout: duration.optional(),
  retries: z.number().int().min(0).max(20).optional(),
  retry_delay: duration.optional(),
  worktree: z.boolean().optional(),
  tags: z.array(tag).optional(),
  check: nonEmpty.optional(),
  system_prompt: text.optional(),
  // clinvoker's per-task options.
  approval_mode: text.optional(),
  sandbox_mode: text.optional(),
  output_format: text.optional(),
  max_tokens: z.number().int().min(0).optional(),
  max_turns: z.number().int().min(0).optional(),
  verbose: z.boolean().optional(),
  dry_run: z.boolean().optional(),
  extra: z.array(text).optional(),
  meta: z.record(z.string(), text).optional(),
};

/** One task (or chain step). */
export const taskSchema = z.strictObject({
  id: taskId.optional(),
  name: text.optional(),
  prompt: text,
  needs: z.union([taskId, z.array(taskId)]).optional(),
  resume: sessionRef.optional(),
  fork: sessionRef.optional(),
  ...sharedFields,
});

/** A task as written. */
export type TaskInput = z.infer<typeof taskSchema>;

/** `defaults:`: values for every task that does not set its own. */
export const defaultsSchema = z.strictObject(sharedFields);

/** A whole run file. */
export const runFileSchema = z.strictObject({
  name: text.optional(),
  tasks: z.array(taskSchema).optional(),
  steps: z.array(taskSchema).optional(),
  defaults: defaultsSchema.optional(),
  max_parallel: z.number().int().min(1).max(1000).optional(),
  fail_fast: z.boolean().optional(),
  max_tokens: z.number().int().min(1).optional(),
  output_dir: nonEmpty.optional(),
  // clinvoker's chain options.
  stop_on_failure: z.boolean().optional(),
  pass_working_dir: z.boolean().optional(),
  pass_session_id: z.boolean().optional(),
  persist_sessions: z.boolean().optional(),
});

/** A run file as written. */
export type RunFileInput = z.infer<typeof runFileSchema>;

/** Every key a task accepts, for "did you mean" suggestions. */
export const TASK_KEYS: readonly string[] = Object.keys(taskSchema.shape);
/** Every key at the top level of a run file. */
export const RUN_FILE_KEYS: readonly string[] = Object.keys(runFileSchema.shape);
/** Every key of `defaults:`. */
export const DEFAULTS_KEYS: readonly string[] = Object.keys(defaultsSchema.shape);
