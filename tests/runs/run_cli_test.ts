/**
 * The run commands as a user and a CI job see them: clinvoker's files, output formats,
 * `output_dir`, bad files, the recursion guard, `compare --judge`, and `runs list|show`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { withSandbox } from "../support/clinvk.ts";
import { callsWith, events, onlyRun, writeRunFile } from "./helpers.ts";

Deno.test("clinvk parallel reads clinvoker's tasks JSON from stdin and writes output_dir", async () => {
  await withSandbox(async (sb) => {
    const tasks = {
      tasks: [
        { backend: "claude", prompt: "review auth module", id: "auth", name: "Auth Review" },
        { backend: "codex", prompt: "add logging to api", meta: { team: "api" } },
        { backend: "gemini", prompt: "generate tests for utils" },
      ],
      max_parallel: 2,
      output_dir: "out",
    };
    const result = await sb.run(["parallel", "--json"], { stdin: JSON.stringify(tasks) });
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout);
    for (
      const key of [
        "total_tasks",
        "completed",
        "failed",
        "total_duration_seconds",
        "results",
        "start_time",
        "end_time",
      ]
    ) {
      assert.ok(key in out, `clinvoker's ${key}`);
    }
    assert.equal(out.total_tasks, 3);
    assert.equal(out.completed, 3);
    const first = out.results[0];
    for (
      const key of [
        "index",
        "task_id",
        "task_name",
        "backend",
        "exit_code",
        "output",
        "start_time",
        "end_time",
        "duration_seconds",
      ]
    ) {
      assert.ok(key in first, `clinvoker's results[].${key}`);
    }
    assert.deepEqual([first.index, first.task_id, first.task_name], [0, "auth", "Auth Review"]);
    assert.equal(first.output, "ECHO turn=1: review auth module");
    assert.match(first.session_id, /^[a-z0-9]{10}$/);
    assert.ok(first.token_usage.total > 0);
    assert.deepEqual(out.results[1].meta, { team: "api" });
    const run = await onlyRun(sb);
    assert.equal(run.options.max_parallel, 2);
    assert.equal(run.source, "-");
    const outDir = join(sb.work, "out");
    const files = (await Array.fromAsync(Deno.readDir(outDir))).map((e) => e.name).sort();
    assert.deepEqual(files, [
      "001_auth.json",
      "002_task-2.json",
      "003_task-3.json",
      "summary.json",
    ]);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(outDir, "summary.json"))), out);
    const taskFile = JSON.parse(await Deno.readTextFile(join(outDir, "002_task-2.json")));
    assert.equal(taskFile.task.prompt, "add logging to api");
    assert.equal(taskFile.result.output, "ECHO turn=1: add logging to api");
  });
});

Deno.test("clinvk chain passes {{previous}} along, prints the last answer and stops at a failure", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "chain.json",
      JSON.stringify({
        steps: [
          { name: "analyze", backend: "claude", prompt: "analyze" },
          { name: "fix", backend: "codex", prompt: "fix: {{previous}}" },
          { name: "test", backend: "gemini", prompt: "test: {{previous}}" },
        ],
      }),
    );
    const result = await sb.run(["chain", "-f", file]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      "ECHO turn=1: test: ECHO turn=1: fix: ECHO turn=1: analyze\n",
      "stdout is the last step's answer",
    );
    const failing = await writeRunFile(
      sb,
      "failing.yaml",
      `steps:
  - { name: one, backend: claude, prompt: "one [[fake:error=400]]" }
  - { name: two, backend: codex, prompt: "two {{previous}}" }
`,
    );
    const failed = await sb.run(["chain", "-f", failing, "--json"]);
    assert.equal(failed.code, 1);
    const out = JSON.parse(failed.stdout);
    assert.equal(out.total_steps, 2);
    assert.equal(out.completed_steps, 0);
    assert.equal(out.failed_step, 1);
    assert.deepEqual(
      out.results.map((
        r: { step: number; name: string; state: string },
      ) => [r.step, r.name, r.state]),
      [
        [1, "one", "failed"],
        [2, "two", "skipped"],
      ],
    );
    assert.deepEqual(await callsWith(sb, "two"), []);
  });
});

Deno.test("chain with stop_on_failure: false and pass_working_dir runs on, in the step before's directory", async () => {
  await withSandbox(async (sb) => {
    const sub = join(sb.work, "sub");
    await Deno.mkdir(sub);
    const file = await writeRunFile(
      sb,
      "chain.json",
      JSON.stringify({
        steps: [
          { backend: "claude", prompt: "first [[fake:error=500]]", workdir: sub },
          { backend: "codex", prompt: "second saw {{previous}}" },
        ],
        stop_on_failure: false,
        pass_working_dir: true,
      }),
    );
    const result = await sb.run(["chain", "-f", file, "--json"]);
    assert.equal(result.code, 1);
    const [call] = await callsWith(sb, "second saw");
    assert.ok(call, "the second step ran although the first failed");
    assert.equal(call.cwd, sub, "and in the first step's directory");
    assert.match(call.argv.at(-1)!, /^second saw \[task step-1 failed: /);
  });
});

Deno.test("-o stream-json prints run_started, task_started, wrapped task events, task_done, run_done", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      "tasks:\n  - { id: only, backend: claude, prompt: hi }\n",
    );
    const result = await sb.run(["parallel", "-f", file, "-o", "stream-json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "", "the events are the progress");
    const stream = events(result.stdout);
    const types = stream.map((e) => e.type);
    assert.equal(types[0], "run_started");
    assert.equal(types[1], "task_started");
    assert.equal(types.at(-2), "task_done");
    assert.equal(types.at(-1), "run_done");
    const wrapped = stream.filter((e) => e.type === "task_event");
    assert.ok(wrapped.length > 0);
    assert.ok(wrapped.every((e) => e.task_id === "only" && e.run_id === stream[0]!.run_id));
    const inner = wrapped.map((e) => (e.event as { type: string }).type);
    assert.ok(inner.includes("init") && inner.includes("message"), inner.join(","));
    const text = wrapped.map((e) => e.event as { type: string; text?: string })
      .filter((e) => e.type === "message").map((e) => e.text).join("");
    assert.equal(text, "ECHO turn=1: hi");
    const done = stream.at(-1)!;
    assert.equal(done.status, "done");
    assert.equal(done.exit_code, 0);
  });
});

Deno.test("without a terminal, progress is plain lines on stderr; -q silences it", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      "tasks:\n  - { id: t1, backend: codex, prompt: hi }\n",
    );
    const result = await sb.run(["parallel", "-f", file]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "=== t1 (codex, done) ===\nECHO turn=1: hi\n\n");
    const run = await onlyRun(sb);
    const lines = result.stderr.split("\n");
    assert.equal(lines[0], `run ${run.id}: 1 task, up to 4 at once`);
    assert.equal(lines[1], "[t1] started on codex");
    assert.match(
      lines[2]!,
      new RegExp(
        `^✓ \\[t1\\] done in [\\d.]+ s · [\\d,]+ tokens · session ${run.tasks[0]!.session_id}$`,
      ),
    );
    assert.match(lines[3]!, new RegExp(`^run ${run.id}: done · 1 done · `));
    assert.ok(!result.stderr.includes("\x1b["), "no escape codes off a terminal");
    const quiet = await sb.run(["parallel", "-f", file, "-q"]);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, "");
  });
});

Deno.test("a bad run file exits 2 with one line naming file:line:column and runs nothing", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(sb, "bad.yaml", "tasks:\n  - prompt: hi\n    timeout: later\n");
    const result = await sb.run(["parallel", "-f", file]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `clinvk: Invalid run file ${file}:3:14: tasks[0].timeout: expected seconds or a duration like 90s, 30m or 1h30m, got "later".\n`,
    );
    const missing = await sb.run(["parallel", "-f", join(sb.dir, "nope.yaml")]);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^clinvk: Cannot read run file .*nope\.yaml: no such file\. Check the path given to -f\.\n$/,
    );
    assert.deepEqual(await readFakeLog(sb.log), []);
    const runs = await sb.run(["runs", "list", "--json"]);
    assert.deepEqual(JSON.parse(runs.stdout), [], "no run was recorded");
  });
});

Deno.test("runs export CLINVK_RUN_DEPTH to their backends and refuse to nest beyond depth 3", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(sb, "t.yaml", "tasks:\n  - { backend: claude, prompt: hi }\n");
    assert.equal((await sb.run(["parallel", "-f", file, "-q"])).code, 0);
    assert.equal(
      (await sb.run(["parallel", "-f", file, "-q"], { env: { CLINVK_RUN_DEPTH: "2" } })).code,
      0,
    );
    const depths = (await readFakeLog(sb.log)).map((call) => call.env.CLINVK_RUN_DEPTH);
    assert.deepEqual(depths, ["1", "3"]);
    const refused = await sb.run(["parallel", "-f", file], { env: { CLINVK_RUN_DEPTH: "3" } });
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /^clinvk: Refusing to start a run nested 4 deep \(CLINVK_RUN_DEPTH=3\); runs nest at most 3 deep\. /,
    );
    const compare = await sb.run(["compare", "x", "--backends", "claude"], {
      env: { CLINVK_RUN_DEPTH: "7" },
    });
    assert.equal(compare.code, 2);
    assert.equal((await readFakeLog(sb.log)).length, 2, "nothing ran beyond the limit");
  });
});

Deno.test("compare --judge asks a backend to rank anonymised answers and records its verdict", async () => {
  await withSandbox(async (sb) => {
    const result = await sb.run([
      "compare",
      "explain quicksort",
      "--backends",
      "claude,gemini",
      "--judge",
      "codex",
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout);
    assert.deepEqual(out.results.map((r: { backend: string }) => r.backend), ["claude", "gemini"]);
    assert.ok(out.results.every((r: { success: boolean }) => r.success));
    const [judgeCall] = (await readFakeLog(sb.log)).filter((c) => c.cli === "codex");
    const judgePrompt = judgeCall!.argv.at(-1)!;
    assert.match(judgePrompt, /Answer A:\n<<<\nECHO turn=1: explain quicksort\n>>>/);
    assert.match(judgePrompt, /Answer B:\n<<<\nECHO turn=1: explain quicksort\n>>>/);
    assert.doesNotMatch(judgePrompt, /claude|gemini/, "the judge does not see backend names");
    // The fake echoes the prompt, whose example reply ranks A then B.
    assert.deepEqual(out.judge.ranking, ["claude", "gemini"]);
    assert.equal(out.judge.best, "claude");
    assert.equal(out.judge.parsed, true);
    assert.equal(out.judge.backend, "codex");
    const text = await sb.run([
      "compare",
      "explain quicksort",
      "--backends",
      "claude,gemini",
      "--judge",
      "codex",
    ]);
    assert.match(text.stdout, /^=== claude \(claude, done\) ===\nECHO turn=1: explain quicksort\n/);
    assert.match(text.stdout, /=== judge \(codex\) ===\nranking: claude > gemini\nbest: claude\n/);
  });
});

Deno.test("compare needs backends and a prompt, and says so", async () => {
  await withSandbox(async (sb) => {
    const none = await sb.run(["compare", "x"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^clinvk: No backends to compare\. Name them with --backends/);
    const unknown = await sb.run(["compare", "x", "--backends", "claude,nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown backend "nope"/);
    const noPrompt = await sb.run(["compare", "--backends", "claude"]);
    assert.equal(noPrompt.code, 2);
    const badN = await sb.run(["compare", "x", "--backends", "claude", "--n", "zero"]);
    assert.equal(badN.code, 2);
    assert.match(
      badN.stderr,
      /Failed to parse "zero" for runs-per-backend: "zero" is not a whole number/,
    );
  });
});

Deno.test("runs list and runs show describe runs; show --json is the record", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      'name: nightly\ntasks:\n  - { id: ok, backend: claude, prompt: fine }\n  - { id: bad, backend: codex, prompt: "bad [[fake:error=401]]" }\n',
    );
    assert.equal((await sb.run(["parallel", "-f", file, "-q"])).code, 1);
    const run = await onlyRun(sb);
    const list = await sb.run(["runs", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+KIND\s+STATUS\s+TASKS\s+TOKENS\s+STARTED\s+NAME\/SOURCE\n/);
    assert.match(
      list.stdout,
      new RegExp(`${run.id}\\s+parallel\\s+failed\\s+1/2, 1 failed\\s+[\\d,]+\\s+.*nightly`),
    );
    const show = await sb.run(["runs", "show", run.id.slice(0, 4)]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(
      show.stdout,
      new RegExp(
        `^Run:        ${run.id} \\(parallel\\)\nName:       nightly\nStatus:     failed\n`,
      ),
    );
    assert.match(show.stdout, /TASK\s+BACKEND\s+STATE\s+EXIT\s+TIME\s+TOKENS\s+SESSION/);
    assert.ok(show.stdout.includes("Problems:\n  bad: "), show.stdout);
    const json = await sb.json<{ id: string; tasks: unknown[]; live: boolean }>([
      "runs",
      "show",
      run.id,
      "--json",
    ]);
    assert.equal(json.id, run.id);
    assert.equal(json.tasks.length, 2);
    assert.equal(json.live, false);
    const missing = await sb.run(["runs", "show", "zzzzzz"]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /^clinvk: Run zzzzzz does not exist\./);
    const filtered = await sb.json<unknown[]>(["runs", "list", "--status", "done", "--json"]);
    assert.deepEqual(filtered, []);
  });
});
