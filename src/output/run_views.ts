/**
 * Renderers for runs: the task table printed after a run and by `runs show`, the labelled
 * view of `runs show`, and the table of `runs list`. Pure functions of the records.
 * @module
 */
import type { RunRecord, TaskRecord } from "../runs/run_record.ts";
import { countStates } from "../runs/run_record.ts";
import { relativeTime } from "./relative_time.ts";
import { renderTable } from "./table.ts";

function tokens(n: number): string {
  return n.toLocaleString("en-US");
}

function taskTime(task: TaskRecord): string {
  return task.duration_seconds === null || task.duration_seconds === undefined
    ? "-"
    : `${task.duration_seconds.toFixed(1)} s`;
}

function checkCell(task: TaskRecord): string {
  if (!task.check) return task.spec.check ? "-" : "";
  return task.check.passed ? "passed" : `failed (${task.check.exit_code})`;
}

/** `TASK BACKEND STATE EXIT TIME TOKENS SESSION [CHECK] [WORKER]`, one row per task. */
export function runTasksTable(record: RunRecord, width?: number): string {
  const withCheck = record.tasks.some((t) => t.spec.check);
  const withWorker = record.tasks.some((t) => t.worker);
  const header = ["TASK", "BACKEND", "STATE", "EXIT", "TIME", "TOKENS", "SESSION"];
  if (withCheck) header.push("CHECK");
  if (withWorker) header.push("WORKER");
  const rows = record.tasks.map((task) => {
    const row = [
      task.id,
      task.spec.backend,
      task.state,
      task.exit_code === null || task.exit_code === undefined ? "-" : String(task.exit_code),
      taskTime(task),
      tokens(task.token_usage.total),
      task.session_id ?? (task.spec.ephemeral ? "(ephemeral)" : "-"),
    ];
    if (withCheck) row.push(checkCell(task));
    if (withWorker) row.push(task.worker ?? "local");
    return row;
  });
  return renderTable(header, rows, width);
}

/** The labelled view of `runs show`: the run, its tasks, and what went wrong. */
export function runDetails(record: RunRecord, now: Date, live: boolean, width?: number): string {
  const counts = countStates(record);
  const status = record.status === "running" && !live
    ? "interrupted (its process is gone)"
    : record.status;
  const options = [
    `up to ${record.options.max_parallel} at once`,
    record.options.fail_fast ? "fail-fast" : "continue on failure",
  ];
  if (record.options.max_tokens) options.push(`budget ${tokens(record.options.max_tokens)} tokens`);
  const lines = [
    `Run:        ${record.id} (${record.kind})`,
    ...(record.name ? [`Name:       ${record.name}`] : []),
    `Status:     ${status}`,
    `Source:     ${record.source ?? "-"} (in ${record.cwd})`,
    `Started:    ${record.created_at} (${relativeTime(new Date(record.created_at), now)})`,
    ...(record.finished_at ? [`Finished:   ${record.finished_at}`] : []),
    `Tokens:     ${tokens(record.token_usage.total)}`,
    `Options:    ${options.join(" · ")}`,
    ...(record.dispatch
      ? [
        `Dispatch:   ${record.dispatch.url}${
          record.dispatch.pool ? ` (pool ${record.dispatch.pool})` : ""
        }`,
      ]
      : []),
    `Tasks:      ${
      Object.entries(counts).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`).join(
        ", ",
      )
    }`,
    "",
    runTasksTable(record, width).trimEnd(),
  ];
  const problems = record.tasks.filter((t) => t.state !== "done" && (t.error || t.reason));
  if (problems.length > 0) {
    lines.push("", "Problems:");
    for (const task of problems) {
      lines.push(
        `  ${task.id}: ${
          task.state === "failed" ? task.error ?? task.reason : task.reason ?? task.error
        }`,
      );
    }
  }
  const workers = [...new Set(record.tasks.flatMap((t) => t.worker ? [t.worker] : []))].sort();
  if (workers.length > 0) {
    lines.push(
      "",
      `Sessions live on the workers that ran them (${workers.join(", ")}), in their stores: ` +
        "continue one with resume: <session-id> in a run sent with --dispatch (it goes back to " +
        "that worker), or with clinvk resume <session-id> on that machine.",
    );
  }
  const worktrees = record.tasks.filter((t) => t.worktree);
  if (worktrees.length > 0) {
    lines.push("", "Worktrees:");
    for (const task of worktrees) {
      lines.push(`  ${task.id}: ${task.worktree!.path} (branch ${task.worktree!.branch})`);
    }
  }
  if (record.judge) {
    lines.push(
      "",
      `Judge (${record.judge.backend}): ${
        record.judge.parsed ? record.judge.ranking.join(" > ") || "-" : "no ranking in its answer"
      }`,
    );
    if (record.judge.reason) lines.push(`  ${record.judge.reason}`);
  }
  return lines.join("\n") + "\n";
}

/** `ID KIND STATUS TASKS TOKENS STARTED NAME`, newest first. */
export function runsTable(
  records: readonly RunRecord[],
  now: Date,
  live: ReadonlySet<string>,
  width?: number,
): string {
  const rows = records.map((record) => {
    const counts = countStates(record);
    const failed = counts.failed > 0 ? `, ${counts.failed} failed` : "";
    return [
      record.id,
      record.kind,
      displayStatus(record, live.has(record.id)),
      `${counts.done}/${record.tasks.length}${failed}`,
      tokens(record.token_usage.total),
      relativeTime(new Date(record.created_at), now),
      record.name ?? record.source ?? record.compare?.prompt ?? "",
    ];
  });
  return renderTable(
    ["ID", "KIND", "STATUS", "TASKS", "TOKENS", "STARTED", "NAME/SOURCE"],
    rows,
    width,
  );
}

/** A record says `running` also when its process was killed; only the lease tells. */
export function displayStatus(record: RunRecord, live: boolean): string {
  return record.status === "running" && !live ? "interrupted" : record.status;
}
