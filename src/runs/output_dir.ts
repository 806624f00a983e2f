/**
 * `output_dir`: when a run ends, `summary.json` (what `--json` prints) and one file per task,
 * `NNN_<task-id>.json` with the task as planned and its result — clinvoker's layout.
 * @module
 */
import { writeFileAtomic } from "../sessions/atomic_write.ts";
import type { Platform } from "../platform/types.ts";
import type { RunRecord } from "./run_record.ts";
import { runResults, taskResult } from "./results.ts";

const encoder = new TextEncoder();

/** File name of a task's result: `003_build.json`. */
export function taskFileName(index: number, taskId: string): string {
  const safe = taskId.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^_+|_+$/g, "").slice(0, 64);
  return `${String(index + 1).padStart(3, "0")}_${safe || `task-${index + 1}`}.json`;
}

/** Writes the run's results into `record.options.output_dir` (created when missing). */
export async function writeOutputDir(platform: Platform, record: RunRecord): Promise<void> {
  const dir = record.options.output_dir;
  if (!dir) return;
  await platform.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const write = (name: string, value: unknown) =>
    writeFileAtomic(
      platform.fs,
      dir,
      name,
      encoder.encode(JSON.stringify(value, null, 2) + "\n"),
      platform.pid,
    );
  await write("summary.json", runResults(record));
  for (const [index, task] of record.tasks.entries()) {
    await write(taskFileName(index, task.id), {
      task: task.spec,
      result: taskResult(record, task),
    });
  }
}
