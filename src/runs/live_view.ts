/**
 * What a run looks like while it runs, as pure functions of its events: the lines printed when
 * something happens (plain lines when stderr is not a terminal; above the live region when it
 * is), and the live region itself — one line per running task (spinner, task, backend, elapsed,
 * tokens so far) and a footer with counts.
 * @module
 */
import type { Palette } from "../output/color.ts";
import { truncateToWidth } from "../output/table.ts";
import type { RunEvent } from "./run_events.ts";
import type { TaskState } from "./run_record.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A running task as the live view shows it. */
interface RunningTask {
  id: string;
  backend: string;
  startedAt: number;
  attempt: number;
  tokens: number;
}

function tokens(n: number): string {
  return n.toLocaleString("en-US");
}

function seconds(value: number | null | undefined): string {
  return `${(value ?? 0).toFixed(1)} s`;
}

function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** The state of a run as its events tell it. */
export class RunView {
  readonly running = new Map<string, RunningTask>();
  readonly states = new Map<string, TaskState>();
  runId = "";
  startedAt = 0;
  tokenTotal = 0;

  /** Folds one event into the view. */
  apply(event: RunEvent): void {
    switch (event.type) {
      case "run_started":
        this.runId = event.run_id;
        this.startedAt = Date.parse(event.time);
        for (const task of event.tasks) this.states.set(task.id, task.state);
        break;
      case "task_started":
        this.states.set(event.task_id, "running");
        this.running.set(event.task_id, {
          id: event.task_id,
          backend: event.backend,
          startedAt: Date.parse(event.time),
          attempt: event.attempt,
          tokens: 0,
        });
        break;
      case "task_event": {
        const task = this.running.get(event.task_id);
        if (task && event.event.type === "usage" && !event.event.cumulative) {
          task.tokens = event.event.usage.total;
        }
        break;
      }
      case "task_retry":
        this.states.set(event.task_id, "pending");
        this.running.delete(event.task_id);
        break;
      case "task_done":
        this.states.set(event.task_id, event.state);
        this.running.delete(event.task_id);
        this.tokenTotal += event.state === "skipped" ? 0 : event.token_usage.total;
        break;
      default:
        break;
    }
  }

  /** Tasks by state. */
  counts(): Record<TaskState, number> {
    const counts: Record<TaskState, number> = {
      pending: 0,
      running: 0,
      done: 0,
      failed: 0,
      skipped: 0,
      canceled: 0,
    };
    for (const state of this.states.values()) counts[state]++;
    return counts;
  }

  /** The live region: one line per running task, then the footer. */
  region(now: number, frame: number, width: number, colors: Palette): string[] {
    const spinner = FRAMES[frame % FRAMES.length]!;
    const tasks = [...this.running.values()];
    const idWidth = Math.min(24, Math.max(4, ...tasks.map((t) => t.id.length)));
    const backendWidth = Math.max(7, ...tasks.map((t) => t.backend.length));
    const lines = tasks.map((task) => {
      const attempt = task.attempt > 1 ? colors.dim(` (attempt ${task.attempt})`) : "";
      const used = task.tokens > 0 ? `  ${tokens(task.tokens)} tokens` : "";
      return `${colors.cyan(spinner)} ${truncateToWidth(task.id, idWidth).padEnd(idWidth)}  ${
        task.backend.padEnd(backendWidth)
      }  ${clock(now - task.startedAt).padStart(5)}${used}${attempt}`;
    });
    lines.push(this.footer(now, colors));
    return lines.map((line) => truncateToWidth(line, Math.max(10, width - 1)));
  }

  /** `3/12 done · 1 failed · 2 running · 6 pending · 4,567 tokens · 00:12`. */
  footer(now: number, colors: Palette): string {
    const c = this.counts();
    const parts = [`${c.done}/${this.states.size} done`];
    if (c.failed) parts.push(colors.red(`${c.failed} failed`));
    if (c.skipped) parts.push(`${c.skipped} skipped`);
    if (c.canceled) parts.push(`${c.canceled} canceled`);
    if (c.running) parts.push(`${c.running} running`);
    if (c.pending) parts.push(`${c.pending} pending`);
    parts.push(`${tokens(this.tokenTotal)} tokens`, clock(now - this.startedAt));
    return colors.dim(`run ${this.runId}: `) + parts.join(" · ");
  }
}

/**
 * The line an event prints (plain output, or above the live region); `undefined` for events
 * that print none. With `live`, starts are not printed (the live region shows them).
 */
export function eventLine(event: RunEvent, colors: Palette, live: boolean): string | undefined {
  switch (event.type) {
    case "run_started": {
      const left = event.tasks.filter((t) => t.state !== "done").length;
      const what = event.resumed
        ? `resuming: ${left} of ${event.tasks.length} tasks to run`
        : `${event.tasks.length} task${event.tasks.length === 1 ? "" : "s"}`;
      return `run ${event.run_id}: ${what}, up to ${event.max_parallel} at once`;
    }
    case "task_started":
      if (live) return undefined;
      return `[${event.task_id}] started on ${event.backend}${
        event.attempt > 1 ? ` (attempt ${event.attempt})` : ""
      }`;
    case "task_retry":
      return colors.yellow(`↻ [${event.task_id}]`) +
        ` attempt ${event.attempt} failed (${event.error_class}): ${event.error}; retrying in ${
          event.delay_seconds.toFixed(1)
        } s`;
    case "task_done":
      return taskDoneLine(event, colors);
    case "budget_exceeded":
      return colors.red(
        `run ${event.run_id}: token budget of ${tokens(event.max_tokens)} exceeded ` +
          `(${tokens(event.used)} used); stopping`,
      );
    case "run_done": {
      const c = event.counts;
      const parts = [`${c.done} done`];
      if (c.failed) parts.push(`${c.failed} failed`);
      if (c.skipped) parts.push(`${c.skipped} skipped`);
      if (c.canceled) parts.push(`${c.canceled} canceled`);
      if (c.pending) parts.push(`${c.pending} not started`);
      const status = event.status === "done" ? colors.green("done") : colors.red(event.status);
      return `run ${event.run_id}: ${status} · ${parts.join(", ")} · ${
        tokens(event.token_usage.total)
      } tokens · ${seconds(event.duration_seconds)}`;
    }
    default:
      return undefined;
  }
}

function taskDoneLine(event: Extract<RunEvent, { type: "task_done" }>, colors: Palette): string {
  const id = `[${event.task_id}]`;
  switch (event.state) {
    case "done": {
      const check = event.check ? ` · check passed` : "";
      const session = event.session_id ? ` · session ${event.session_id}` : "";
      return `${colors.green("✓")} ${id} done in ${seconds(event.duration_seconds)} · ${
        tokens(event.token_usage.total)
      } tokens${check}${session}`;
    }
    case "failed": {
      const code = event.exit_code !== null ? ` (exit ${event.exit_code})` : "";
      const session = event.session_id ? ` (session ${event.session_id})` : "";
      const output = event.check && !event.check.passed && event.check.output.trim()
        ? `\n    ${event.check.output.trim().split("\n").slice(-3).join("\n    ")}`
        : "";
      return `${colors.red("✗")} ${id} failed${code}: ${
        event.error ?? "no answer"
      }${session}${output}`;
    }
    case "skipped":
      return `${colors.dim("-")} ${id} skipped: ${event.reason ?? ""}`;
    default:
      return `${colors.yellow("■")} ${id} canceled${event.reason ? `: ${event.reason}` : ""}`;
  }
}
