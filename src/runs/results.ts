/**
 * The results of a run as `--json` prints them and `output_dir/summary.json` keeps them:
 * clinvoker's field names for each preset (`parallel`: `total_tasks`, `completed`, `failed`,
 * `results[]`; `chain`: `total_steps`, `completed_steps`, `failed_step`; `compare`: `prompt`,
 * `backends`), plus clinvk's `run_id`, `status`, `session_id`, `token_usage` and `check`.
 * @module
 */
import { countStates, type RunRecord, type TaskRecord } from "./run_record.ts";
import { runExitCode } from "./run_exit.ts";

/** One task's result. */
export function taskResult(record: RunRecord, task: TaskRecord): Record<string, unknown> {
  const index = record.tasks.indexOf(task);
  return {
    index,
    task_id: task.id,
    ...(task.spec.name ? { task_name: task.spec.name } : {}),
    ...(task.spec.tags.length > 0 ? { tags: task.spec.tags } : {}),
    ...(task.spec.meta ? { meta: task.spec.meta } : {}),
    backend: task.spec.backend,
    model: task.model ?? task.spec.model ?? null,
    state: task.state,
    success: task.state === "done",
    exit_code: task.exit_code ?? -1,
    ...(task.error && task.state !== "done" ? { error: task.error } : {}),
    ...(task.reason ? { reason: task.reason } : {}),
    output: task.output ?? "",
    start_time: task.started_at ?? null,
    end_time: task.ended_at ?? null,
    duration_seconds: task.duration_seconds ?? 0,
    session_id: task.session_id,
    backend_session_id: task.backend_session_id ?? null,
    ...(task.worker ? { worker: task.worker } : {}),
    token_usage: task.token_usage,
    check: task.check ?? null,
    attempts: task.attempts,
    workdir: task.workdir ?? task.spec.workdir,
    ...(task.worktree
      ? { worktree: { path: task.worktree.path, branch: task.worktree.branch } }
      : {}),
    ...(task.argv ? { argv: task.argv } : {}),
  };
}

/**
 * The whole run's results in the shape of its preset.
 *
 * @example
 * ```ts ignore
 * const summary = runResults(record);
 * summary.completed; // tasks done
 * ```
 */
export function runResults(record: RunRecord): Record<string, unknown> {
  const counts = countStates(record);
  const starts = record.tasks.map((t) => t.started_at).filter((t): t is string => Boolean(t))
    .sort();
  const start = starts[0] ?? record.created_at;
  const end = record.finished_at ?? record.updated_at;
  const common = {
    run_id: record.id,
    ...(record.name ? { name: record.name } : {}),
    status: record.status,
    exit_code: runExitCode(record.status),
    start_time: start,
    end_time: end,
    total_duration_seconds: Math.max(0, (Date.parse(end) - Date.parse(start)) / 1000),
    token_usage: record.token_usage,
  };
  if (record.kind === "chain") {
    const failedIndex = record.tasks.findIndex((t) => t.state === "failed");
    return {
      ...common,
      total_steps: record.tasks.length,
      completed_steps: counts.done,
      ...(failedIndex >= 0 ? { failed_step: failedIndex + 1 } : {}),
      results: record.tasks.map((task, i) => ({
        step: i + 1,
        name: task.spec.name ?? task.id,
        ...taskResult(record, task),
      })),
    };
  }
  if (record.kind === "compare" && record.compare) {
    const judgeId = record.compare.judge_task;
    const candidates = record.tasks.filter((t) => t.id !== judgeId);
    const passAtK: Record<string, { passed: number; total: number }> = {};
    for (const task of candidates) {
      const entry = passAtK[task.spec.backend] ??= { passed: 0, total: 0 };
      entry.total++;
      if (task.state === "done") entry.passed++;
    }
    return {
      ...common,
      prompt: record.compare.prompt,
      backends: record.compare.backends,
      n: record.compare.n,
      results: candidates.map((task) => taskResult(record, task)),
      pass_at_k: passAtK,
      ...(record.judge ? { judge: record.judge } : {}),
    };
  }
  return {
    ...common,
    total_tasks: record.tasks.length,
    completed: counts.done,
    failed: counts.failed,
    skipped: counts.skipped,
    canceled: counts.canceled,
    results: record.tasks.map((task) => taskResult(record, task)),
  };
}
