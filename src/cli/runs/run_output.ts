/**
 * How a run shows itself: the live view or plain lines on stderr while it runs (nothing with
 * `-q`), `-o stream-json` events on stdout, and at the end the answers (text), the results
 * (`--json`) and a summary with what to do next.
 * @module
 */
import { colorEnabled, type Palette, palette } from "../../output/color.ts";
import { runTasksTable } from "../../output/run_views.ts";
import { eventLine, RunView } from "../../runs/live_view.ts";
import type { RunHandle, RunResult } from "../../runs/run_engine.ts";
import type { RunRecord } from "../../runs/run_record.ts";
import { runResults } from "../../runs/results.ts";
import { ExitSilently } from "../../errors.ts";
import type { AppContext } from "../context.ts";

/** How a run command prints. */
export interface RunOutputMode {
  format: "text" | "json" | "stream-json";
  quiet: boolean;
}

/** A progress display that can be stopped. */
interface Progress {
  stop(): void;
}

function colors(context: AppContext): Palette {
  const { platform } = context;
  return palette(colorEnabled("auto", platform.stderr.isTerminal(), platform.env.get("NO_COLOR")));
}

/** Shows `run`'s progress the way `mode` asks; call `stop` when it is done. */
export function showProgress(context: AppContext, run: RunHandle, mode: RunOutputMode): Progress {
  const { stdout, stderr } = context.platform;
  if (mode.format === "stream-json") {
    const stop = run.subscribe((event) => stdout.write(JSON.stringify(event) + "\n"), {
      replay: true,
    });
    return { stop };
  }
  if (mode.quiet) return { stop() {} };
  const paint = colors(context);
  if (!stderr.isTerminal()) {
    const stop = run.subscribe((event) => {
      const line = eventLine(event, paint, false);
      if (line !== undefined) stderr.write(line + "\n");
    }, { replay: true });
    return { stop };
  }
  return liveView(context, run, paint);
}

/** The terminal view: finished tasks scroll above a region redrawn in place. */
function liveView(context: AppContext, run: RunHandle, paint: Palette): Progress {
  const { stderr, clock } = context.platform;
  const view = new RunView();
  let drawn = 0;
  let frame = 0;
  let pending: string[] = [];
  const draw = (final = false) => {
    const width = stderr.columns() ?? 80;
    let out = drawn > 0 ? `\x1b[${drawn}A\r\x1b[J` : "";
    for (const line of pending) out += line + "\n";
    pending = [];
    const region = final ? [] : view.region(clock.now().getTime(), frame++, width, paint);
    for (const line of region) out += line + "\n";
    drawn = region.length;
    stderr.write(out);
  };
  const unsubscribe = run.subscribe((event) => {
    view.apply(event);
    const line = eventLine(event, paint, true);
    if (line !== undefined) pending.push(line);
    if (event.type !== "task_event") draw();
  }, { replay: true });
  const timer = setInterval(() => draw(), 100);
  return {
    stop() {
      clearInterval(timer);
      unsubscribe();
      draw(true);
    },
  };
}

/** Prints what the run produced; a failed run then ends the command with its exit code. */
export function printRunResult(
  context: AppContext,
  result: RunResult,
  mode: RunOutputMode,
): void {
  const { stdout, stderr } = context.platform;
  const { record } = result;
  if (mode.format === "json") {
    stdout.write(JSON.stringify(runResults(record), null, 2) + "\n");
  } else if (mode.format === "text") {
    stdout.write(answersText(record));
  }
  if (!mode.quiet && mode.format !== "stream-json") {
    stderr.write("\n" + runTasksTable(record, stderr.columns()));
    for (const hint of nextSteps(record)) stderr.write(hint + "\n");
  }
  // The table and the answers above say what failed.
  if (result.exitCode !== 0) throw new ExitSilently(result.exitCode);
}

/** Text output: chains print the last step's answer; the others every answer under a heading. */
export function answersText(record: RunRecord): string {
  if (record.kind === "chain") {
    const last = record.tasks.at(-1);
    return last?.state === "done" && last.output ? ensureNewline(last.output) : "";
  }
  let out = "";
  const judgeId = record.compare?.judge_task;
  for (const task of record.tasks) {
    if (task.id === judgeId || !task.output) continue;
    out += `=== ${task.id} (${task.spec.backend}, ${task.state}) ===\n${
      ensureNewline(task.output)
    }\n`;
  }
  if (record.judge) {
    const verdict = record.judge;
    out += `=== judge (${verdict.backend}) ===\n`;
    if (verdict.parsed) {
      out += `ranking: ${verdict.ranking.join(" > ")}\n`;
      if (verdict.best) out += `best: ${verdict.best}\n`;
      if (verdict.reason) out += `reason: ${verdict.reason}\n`;
    } else {
      out += ensureNewline(verdict.output);
    }
  }
  return out;
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : text + "\n";
}

/** What to do after a run: resume it, look at it, review its worktrees. */
export function nextSteps(record: RunRecord): string[] {
  const hints: string[] = [];
  if (record.status !== "done") {
    hints.push(`Resume what did not finish: clinvk runs resume ${record.id}`);
  }
  if (record.tasks.some((t) => t.worktree)) {
    hints.push(`Worktrees are kept for review; remove them with: clinvk runs delete ${record.id}`);
  }
  hints.push(`Details: clinvk runs show ${record.id}`);
  return hints;
}
