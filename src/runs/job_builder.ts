/**
 * Builds the job of a task's next attempt from the run record: fills its prompt's templates
 * from the tasks it needs, picks the session it continues or forks, the directory it runs in
 * and its environment. The job is plain JSON (see `dispatcher.ts`).
 * @module
 */
import { join } from "node:path";
import { jobId, type JobTarget, type TaskJob } from "./dispatcher.ts";
import type { RunRecord, TaskRecord } from "./run_record.ts";
import { renderTemplate } from "./templates.ts";

/** Environment variable that carries how deep runs are nested. */
export const RUN_DEPTH_ENV = "CLINVK_RUN_DEPTH";

/** The tags every session of a run carries. */
export function runTags(runId: string, taskId: string): string[] {
  return [`run:${runId}`, `task:${taskId}`];
}

/** What `{{tasks.<id>.output}}` renders for a task that did not succeed (after_failure tasks). */
function outputOf(task: TaskRecord): string {
  if (task.state === "done") return task.output ?? "";
  if (task.state === "failed") return `[task ${task.id} failed: ${task.error ?? "no answer"}]`;
  return `[task ${task.id} ${task.state === "skipped" ? "was skipped" : "was canceled"}]`;
}

/**
 * The job of `task`'s attempt `attempt`.
 *
 * @throws {Error} when the session it continues does not exist (its task failed before its
 * backend reported a session).
 */
export function buildJob(record: RunRecord, task: TaskRecord, attempt: number): TaskJob {
  const byId = new Map(record.tasks.map((t) => [t.id, t]));
  const spec = task.spec;
  const prompt = renderTemplate(spec.prompt, {
    previous: spec.previous ? outputOf(byId.get(spec.previous)!) : undefined,
    task: (id, field) => {
      const other = byId.get(id);
      if (!other) return undefined;
      return field === "output" ? outputOf(other) : other.session_id ?? "";
    },
  });
  let workdir = spec.workdir;
  if (task.worktree) workdir = join(task.worktree.path, task.worktree.subdir);
  else if (record.options.pass_working_dir && spec.previous && !task.workdir_pinned) {
    workdir = byId.get(spec.previous)!.workdir || workdir;
  }
  const tags = [...runTags(record.id, task.id), ...spec.tags];
  let target: JobTarget;
  let worker: string | null = null;
  const ref = spec.resume ?? spec.fork;
  if (ref) {
    let sessionId: string;
    if (ref.kind === "task") {
      const other = byId.get(ref.task_id)!;
      if (!other.session_id) {
        throw new Error(
          `task ${ref.task_id} has no session to ${spec.resume ? "resume" : "fork"} ` +
            `(it ${other.state === "done" ? "was ephemeral" : "never started its backend"})`,
        );
      }
      sessionId = other.session_id;
      worker = other.worker;
    } else {
      sessionId = ref.session_id;
      worker = ref.worker ?? null;
    }
    target = spec.resume
      ? { kind: "resume", session_id: sessionId }
      : { kind: "fork", session_id: sessionId, tags };
  } else if (spec.ephemeral) {
    target = { kind: "ephemeral", backend: spec.backend, workdir };
  } else {
    target = {
      kind: "new",
      backend: spec.backend,
      workdir,
      tags,
      ...(spec.name ? { title: spec.name } : {}),
    };
  }
  return {
    job_id: jobId(record.id, task.id, attempt),
    run_id: record.id,
    task_id: task.id,
    attempt,
    backend: spec.backend,
    target,
    prompt,
    ...(spec.model ? { model: spec.model } : {}),
    ...(spec.system_prompt ? { system_prompt: spec.system_prompt } : {}),
    ...(spec.timeout_seconds ? { timeout_ms: Math.round(spec.timeout_seconds * 1000) } : {}),
    ...(spec.idle_timeout_seconds
      ? { idle_timeout_ms: Math.round(spec.idle_timeout_seconds * 1000) }
      : {}),
    env: { [RUN_DEPTH_ENV]: String(record.options.depth) },
    ...(task.worktree ? { worktree: task.worktree } : {}),
    ...(spec.check ? { check: spec.check } : {}),
    ...(spec.dry_run ? { dry_run: true } : {}),
    ...(record.options.force ? { force: true } : {}),
    ...(worker ? { worker } : {}),
  };
}
