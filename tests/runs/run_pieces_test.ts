/**
 * The pure pieces of the run engine: durations, retry delays, templates, the judge's verdict,
 * and the live view's lines.
 */
import assert from "node:assert/strict";
import { palette } from "../../src/output/color.ts";
import { durationSeconds } from "../../src/runs/duration.ts";
import { answerLabel, judgeVerdict } from "../../src/runs/judge.ts";
import { eventLine, RunView } from "../../src/runs/live_view.ts";
import { isRetryable, retryDelayMs } from "../../src/runs/retry.ts";
import type { RunEvent } from "../../src/runs/run_events.ts";
import type { RunRecord } from "../../src/runs/run_record.ts";
import { renderTemplate, templateRefs } from "../../src/runs/templates.ts";
import { topologicalOrder } from "../../src/runs/graph.ts";
import type { TaskSpec } from "../../src/runs/run_spec.ts";

Deno.test("durationSeconds() reads seconds and unit strings, and rejects the rest", () => {
  assert.equal(durationSeconds(90), 90);
  assert.equal(durationSeconds("1.5"), 1.5);
  assert.equal(durationSeconds("90s"), 90);
  assert.equal(durationSeconds("30m"), 1800);
  assert.equal(durationSeconds("1h30m"), 5400);
  assert.equal(durationSeconds("500ms"), 0.5);
  assert.equal(durationSeconds("2d"), 172800);
  for (const bad of ["soon", "-1", "1x", "", "m5"]) {
    assert.equal(durationSeconds(bad), undefined, bad);
  }
  assert.equal(durationSeconds(-3), undefined);
  assert.equal(durationSeconds(1e12), undefined, "longer than a timer can wait");
});

Deno.test("retryDelayMs() doubles from the first delay, with jitter, up to five minutes", () => {
  assert.equal(retryDelayMs(2, 1, () => 0.5), 2000);
  assert.equal(retryDelayMs(2, 3, () => 0.5), 8000);
  assert.equal(retryDelayMs(2, 1, () => 0), 1600);
  assert.equal(retryDelayMs(2, 1, () => 1), 2400);
  assert.equal(retryDelayMs(60, 10, () => 0.5), 300_000);
  assert.ok(isRetryable("rate_limit") && isRetryable("overloaded") && isRetryable("network"));
  for (const never of ["auth", "bad_request", "not_found", "timeout", "other", undefined]) {
    assert.equal(isRetryable(never), false, String(never));
  }
});

Deno.test("renderTemplate() fills known placeholders and leaves other braces alone", () => {
  const prompt =
    "A {{previous}} B {{ tasks.x.output }} C {{tasks.x.session_id}} D {{name}} E {{tasks.y.output}}";
  assert.deepEqual(
    templateRefs(prompt).map((r) => r.kind === "task" ? `${r.task_id}.${r.field}` : r.kind),
    [
      "previous",
      "x.output",
      "x.session_id",
      "y.output",
    ],
  );
  const text = renderTemplate(prompt, {
    previous: "P",
    task: (id, field) => id === "x" ? `${id}:${field}` : undefined,
  });
  assert.equal(text, "A P B x:output C x:session_id D {{name}} E {{tasks.y.output}}");
  assert.deepEqual(templateRefs("{{tasks.a.b.output}}"), [
    { kind: "task", task_id: "a.b", field: "output", text: "{{tasks.a.b.output}}" },
  ]);
});

Deno.test("topologicalOrder() puts every task after its needs, keeping file order otherwise", () => {
  const task = (id: string, needs: string[] = []) => ({ id, needs } as unknown as TaskSpec);
  assert.deepEqual(
    topologicalOrder([task("d", ["b", "c"]), task("a"), task("b", ["a"]), task("c", ["a"])]),
    ["a", "b", "c", "d"],
  );
});

Deno.test("judgeVerdict() maps the judge's labels back to tasks, fenced JSON or not", () => {
  assert.deepEqual([0, 1, 25, 26, 27].map(answerLabel), ["A", "B", "Z", "AA", "AB"]);
  const record = (output: string) =>
    ({
      compare: { prompt: "p", backends: [], n: 1, judge_task: "judge", labels: { x: "A", y: "B" } },
      tasks: [{
        id: "judge",
        state: "done",
        output,
        session_id: "s1",
        spec: { backend: "claude" },
      }],
    }) as unknown as RunRecord;
  const fenced = judgeVerdict(
    record('Here you go:\n```json\n{"ranking": ["B", "A"], "best": "B", "reason": "clearer"}\n```'),
  )!;
  assert.deepEqual([fenced.ranking, fenced.best, fenced.reason, fenced.parsed], [
    ["y", "x"],
    "y",
    "clearer",
    true,
  ]);
  const prose = judgeVerdict(record("I cannot decide."))!;
  assert.deepEqual([prose.ranking, prose.best, prose.parsed, prose.output], [
    [],
    null,
    false,
    "I cannot decide.",
  ]);
  const labelled = judgeVerdict(record('{"ranking": ["Answer A", "b", "Q"]}'))!;
  assert.deepEqual([labelled.ranking, labelled.best], [["x", "y"], "x"]);
});

const T0 = "2025-01-27T10:00:00.000Z";
const colorless = palette(false);

Deno.test("RunView shows one line per running task and a footer with counts", () => {
  const view = new RunView();
  const feed: RunEvent[] = [
    {
      type: "run_started",
      run_id: "r1",
      kind: "parallel",
      resumed: false,
      max_parallel: 4,
      tasks: ["a", "b", "c"].map((id) => ({ id, backend: "claude", needs: [], state: "pending" })),
      time: T0,
    },
    { type: "task_started", run_id: "r1", task_id: "a", backend: "claude", attempt: 1, time: T0 },
    { type: "task_started", run_id: "r1", task_id: "b", backend: "codex", attempt: 2, time: T0 },
    {
      type: "task_event",
      run_id: "r1",
      task_id: "a",
      event: {
        type: "usage",
        usage: { input: 1000, output: 234, cached: 0, total: 1234 },
        cumulative: false,
      },
    },
  ];
  for (const event of feed) view.apply(event);
  const now = Date.parse(T0) + 65_000;
  assert.deepEqual(view.region(now, 0, 80, colorless), [
    "⠋ a     claude   01:05  1,234 tokens",
    "⠋ b     codex    01:05 (attempt 2)",
    "run r1: 0/3 done · 2 running · 1 pending · 0 tokens · 01:05",
  ]);
  view.apply({
    type: "task_done",
    run_id: "r1",
    task_id: "a",
    backend: "claude",
    state: "done",
    session_id: "s1",
    exit_code: 0,
    duration_seconds: 2,
    token_usage: { input: 1000, output: 300, cached: 0, total: 1300 },
    time: T0,
  });
  assert.equal(view.region(now, 1, 30, colorless).length, 2);
  assert.equal(view.region(now, 1, 30, colorless)[1], "run r1: 1/3 done · 1 running…");
});

Deno.test("eventLine() says what happened to a task in one line", () => {
  const done = (state: "done" | "failed" | "skipped" | "canceled", extra = {}) =>
    eventLine(
      {
        type: "task_done",
        run_id: "r1",
        task_id: "t",
        backend: "codex",
        state,
        session_id: "s1",
        exit_code: state === "done" ? 0 : 1,
        duration_seconds: 1.25,
        token_usage: { input: 10, output: 2, cached: 0, total: 12 },
        time: T0,
        ...extra,
      },
      colorless,
      false,
    );
  assert.equal(done("done"), "✓ [t] done in 1.3 s · 12 tokens · session s1");
  assert.equal(
    done("failed", { error: "rate limited" }),
    "✗ [t] failed (exit 1): rate limited (session s1)",
  );
  assert.equal(
    done("skipped", { reason: "needs a, which failed" }),
    "- [t] skipped: needs a, which failed",
  );
  assert.equal(done("canceled", { reason: "fail-fast" }), "■ [t] canceled: fail-fast");
  assert.equal(
    eventLine(
      { type: "task_started", run_id: "r1", task_id: "t", backend: "claude", attempt: 1, time: T0 },
      colorless,
      true,
    ),
    undefined,
    "the live view shows starts in its region",
  );
});
