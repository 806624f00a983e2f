/**
 * Scheduling end to end: global and per-backend caps, retries only for retryable errors,
 * fail-fast stopping every backend, timeouts and the token budget.
 */
import assert from "node:assert/strict";
import { readFakeLog, readFakeTimes } from "../fixtures/fake_backends.ts";
import { withSandbox } from "../support/clinvk.ts";
import { callsWith, events, onlyRun, processAlive, writeConfig, writeRunFile } from "./helpers.ts";

/** The most intervals that overlap at one instant. */
function maxOverlap(intervals: [number, number][]): number {
  const points = intervals.flatMap(([start, end]) => [[start, 1], [end, -1]] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of points) max = Math.max(max, now += delta);
  return max;
}

Deno.test("clinvk parallel holds --max-parallel and backends.<name>.max_parallel", async () => {
  await withSandbox(async (sb) => {
    await writeConfig(sb, "backends:\n  claude:\n    max_parallel: 1\n");
    const tasks = [
      ...["c1", "c2", "c3"].map((id) =>
        `  - { id: ${id}, backend: claude, prompt: "${id} [[fake:sleep=600]]" }`
      ),
      ...["x1", "x2", "x3", "x4"].map((id) =>
        `  - { id: ${id}, backend: codex, prompt: "${id} [[fake:sleep=600]]" }`
      ),
    ];
    const file = await writeRunFile(sb, "t.yaml", `tasks:\n${tasks.join("\n")}\n`);
    const result = await sb.run(["parallel", "-f", file, "--max-parallel", "3", "-q"]);
    assert.equal(result.code, 0, result.stderr);
    const times = await readFakeTimes(sb.env.FAKE_BACKEND_TIMES);
    assert.equal(times.length, 7);
    const of = (cli: string) =>
      times.filter((t) => t.cli === cli).map((t) => [t.start, t.end] as [number, number]);
    assert.equal(maxOverlap(of("claude")), 1, "claude never ran twice at once");
    const all = maxOverlap(times.map((t) => [t.start, t.end]));
    assert.ok(all <= 3, `at most 3 at once, saw ${all}`);
    assert.ok(all >= 2, `tasks did run at the same time (saw ${all})`);
  });
});

Deno.test("a task is retried on a rate limit (429) but not on an auth error (401)", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `defaults:
  backend: claude
  retries: 2
  retry_delay: 50ms
tasks:
  - { id: limited, prompt: "limited [[fake:error=429]]" }
  - { id: denied, prompt: "denied [[fake:error=401]]" }
`,
    );
    const result = await sb.run(["parallel", "-f", file, "-o", "stream-json"]);
    assert.equal(result.code, 1);
    assert.equal((await callsWith(sb, "limited")).length, 3, "429: first attempt + 2 retries");
    assert.equal((await callsWith(sb, "denied")).length, 1, "401 is never retried");
    const retries = events(result.stdout).filter((e) => e.type === "task_retry");
    assert.deepEqual(retries.map((e) => [e.task_id, e.attempt, e.error_class]), [
      ["limited", 1, "rate_limit"],
      ["limited", 2, "rate_limit"],
    ]);
    const run = await onlyRun(sb);
    const [limited, denied] = run.tasks;
    assert.equal(limited!.attempts, 3);
    assert.equal(limited!.error_class, "rate_limit");
    assert.equal(denied!.attempts, 1);
    assert.equal(denied!.error_class, "auth");
    // Each attempt was its own session; the earlier ones are remembered.
    assert.equal(limited!.previous_sessions?.length, 2);
  });
});

Deno.test("--fail-fast stops every running backend and cancels the rest", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - { id: hang1, backend: claude, prompt: "hang one [[fake:hang]]" }
  - { id: hang2, backend: codex, prompt: "hang two [[fake:hang]]" }
  - { id: fails, backend: gemini, prompt: "fails [[fake:sleep=2000]] [[fake:error=401]]" }
  - { id: later, backend: claude, needs: hang1, prompt: "later" }
`,
    );
    const result = await sb.run(["parallel", "-f", file, "--fail-fast", "--json"]);
    assert.equal(result.code, 1);
    const out = JSON.parse(result.stdout);
    const state = Object.fromEntries(
      out.results.map((r: { task_id: string; state: string }) => [r.task_id, r.state]),
    );
    assert.deepEqual(state, {
      hang1: "canceled",
      hang2: "canceled",
      fails: "failed",
      later: "canceled",
    });
    const calls = await readFakeLog(sb.log);
    assert.deepEqual(await callsWith(sb, "later"), [], "the task after hang1 never started");
    assert.equal(await processAlive(Deno.pid), true, "the probe does see live processes");
    for (const call of calls) {
      assert.equal(
        await processAlive(call.pid),
        false,
        `backend ${call.cli} (${call.pid}) is gone`,
      );
    }
  });
});

Deno.test("a task's timeout stops its backend (exit 124) and fails only that task", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - { id: stuck, backend: claude, prompt: "stuck [[fake:hang]]", timeout: 1 }
  - { id: fine, backend: codex, prompt: fine }
`,
    );
    const result = await sb.run(["parallel", "-f", file, "--json"]);
    assert.equal(result.code, 1);
    const [stuck, fine] = JSON.parse(result.stdout).results;
    assert.equal(stuck.state, "failed");
    assert.equal(stuck.exit_code, 124);
    assert.equal(fine.state, "done");
    const [call] = await callsWith(sb, "stuck");
    assert.equal(await processAlive(call!.pid), false);
  });
});

Deno.test("--max-tokens stops the run once the budget is spent (exit 6, budget_exceeded)", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - { id: first, backend: codex, prompt: first }
  - { id: second, backend: codex, prompt: second }
  - { id: third, backend: codex, prompt: third }
`,
    );
    const result = await sb.run([
      "parallel",
      "-f",
      file,
      "--max-parallel",
      "1",
      "--max-tokens",
      "1000",
      "-o",
      "stream-json",
    ]);
    assert.equal(result.code, 6, result.stderr);
    const stream = events(result.stdout);
    const budget = stream.find((e) => e.type === "budget_exceeded");
    assert.ok(budget, "a budget_exceeded event");
    assert.equal(budget.max_tokens, 1000);
    assert.ok((budget.used as number) > 1000);
    const done = stream.at(-1)!;
    assert.equal(done.type, "run_done");
    assert.equal(done.status, "budget_exceeded");
    assert.equal((await readFakeLog(sb.log)).length, 1, "nothing ran after the budget was spent");
    const run = await onlyRun(sb);
    assert.deepEqual(run.tasks.map((t) => t.state), ["done", "canceled", "canceled"]);
  });
});

Deno.test("idle_timeout stops a backend that goes silent; the others finish", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - { id: silent, backend: codex, prompt: "silent [[fake:hang]]", idle_timeout: 1 }
  - { id: working, backend: claude, prompt: "working [[fake:sleep=1500]]", timeout: 30 }
`,
    );
    const started = Date.now();
    const result = await sb.run(["parallel", "-f", file, "--json"]);
    assert.equal(result.code, 1);
    const [silent, working] = JSON.parse(result.stdout).results;
    assert.equal(silent.state, "failed");
    assert.equal(silent.exit_code, 124);
    assert.match(silent.error, /idle|no output|printed nothing|silent/i);
    assert.equal(working.state, "done", "a task without an idle limit runs to its end");
    const run = await onlyRun(sb);
    assert.equal(run.tasks[0]!.error_class, "timeout");
    assert.ok(Date.now() - started < 25_000, "the silent backend did not run to the 30 s limit");
    const [call] = await callsWith(sb, "silent");
    assert.equal(await processAlive(call!.pid), false);
  });
});
