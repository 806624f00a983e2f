/**
 * `clinvk parallel` end to end with the fake backends: dependency order, failures that skip
 * only their dependents, templates, `resume: task:x`, and tasks that are real sessions.
 */
import assert from "node:assert/strict";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { withSandbox } from "../support/clinvk.ts";
import { callPrompt, callsWith, callTime, onlyRun, writeRunFile } from "./helpers.ts";

const DAG = `
tasks:
  - id: root
    backend: claude
    prompt: "root task [[fake:sleep=1500]]"
  - id: left
    backend: codex
    needs: root
    prompt: "left of {{tasks.root.output}}"
  - id: right
    backend: gemini
    needs: root
    prompt: "right task [[fake:sleep=200]]"
  - id: leaf
    backend: claude
    needs: [left, right]
    prompt: "leaf task"
  - id: broken
    backend: claude
    prompt: "broken task [[fake:error=401]]"
  - id: after-broken
    backend: codex
    needs: broken
    prompt: "after broken"
  - id: grandchild
    backend: codex
    needs: after-broken
    prompt: "grandchild"
  - id: loner
    backend: gemini
    prompt: "loner task"
`;

Deno.test("clinvk parallel runs a three-level DAG in dependency order; a failed task skips only its dependents", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(sb, "dag.yaml", DAG);
    const result = await sb.run(["parallel", "-f", file, "--json"]);
    assert.equal(result.code, 1, "a failed task makes the run exit 1");
    const out = JSON.parse(result.stdout);
    const state = Object.fromEntries(
      out.results.map((r: { task_id: string; state: string }) => [r.task_id, r.state]),
    );
    assert.deepEqual(state, {
      root: "done",
      left: "done",
      right: "done",
      leaf: "done",
      broken: "failed",
      "after-broken": "skipped",
      grandchild: "skipped",
      loner: "done",
    });
    assert.equal(out.total_tasks, 8);
    assert.equal(out.completed, 5);
    assert.equal(out.failed, 1);
    assert.equal(out.skipped, 2);
    assert.equal(out.status, "failed");
    assert.match(out.run_id, /^[a-z0-9]{10}$/);
    // Skipped tasks never reached a backend.
    assert.deepEqual(await callsWith(sb, "after broken"), []);
    assert.deepEqual(await callsWith(sb, "grandchild"), []);
    // Each task started only after every task it needs had finished.
    const [, rootEnd] = await callTime(sb, "root task");
    const [leftStart, leftEnd] = await callTime(sb, "left of");
    const [rightStart, rightEnd] = await callTime(sb, "right task");
    const [leafStart] = await callTime(sb, "leaf task");
    assert.ok(leftStart >= rootEnd && rightStart >= rootEnd, "level 2 waits for level 1");
    assert.ok(leafStart >= Math.max(leftEnd, rightEnd), "level 3 waits for both of level 2");
    // Independent tasks did not wait for each other: the loner ran while root ran.
    const [lonerStart] = await callTime(sb, "loner task");
    assert.ok(lonerStart < rootEnd, "independent tasks run at once");
    const broken = out.results.find((r: { task_id: string }) => r.task_id === "broken");
    assert.ok(broken.exit_code !== 0);
    assert.match(broken.error, /401|auth|API key|log/i);
  });
});

Deno.test("clinvk parallel fills {{tasks.x.output}} and {{tasks.x.session_id}} from finished tasks", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - id: plan
    backend: codex
    prompt: write the plan
  - id: build
    backend: claude
    prompt: "Implement: {{tasks.plan.output}} (plan session {{tasks.plan.session_id}})"
`,
    );
    const out = await sb.json<{ results: { task_id: string; session_id: string }[] }>([
      "parallel",
      "-f",
      file,
      "--json",
    ]);
    const planSession = out.results[0]!.session_id;
    const [call] = await callsWith(sb, "Implement:");
    assert.equal(
      callPrompt(call!),
      `Implement: ECHO turn=1: write the plan (plan session ${planSession})`,
    );
  });
});

Deno.test("resume: task:x continues x's backend conversation, in its session", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - id: first
    backend: claude
    prompt: remember the number 7
  - id: again
    resume: task:first
    prompt: what was the number
  - id: branch
    fork: task:first
    prompt: fork of it
`,
    );
    const out = await sb.json<{ results: Record<string, unknown>[] }>([
      "parallel",
      "-f",
      file,
      "--json",
    ]);
    const [first, again, branch] = out.results as {
      session_id: string;
      backend_session_id: string;
      output: string;
    }[];
    const [call] = await callsWith(sb, "what was the number");
    const at = call!.argv.indexOf("--resume");
    assert.ok(at >= 0, `expected --resume in ${call!.argv.join(" ")}`);
    assert.equal(call!.argv[at + 1], first!.backend_session_id);
    assert.equal(again!.output, "ECHO turn=2: what was the number");
    assert.equal(again!.session_id, first!.session_id, "the same clinvk session continues");
    const [forkCall] = await callsWith(sb, "fork of it");
    assert.ok(forkCall!.argv.includes("--fork-session"));
    assert.notEqual(branch!.session_id, first!.session_id, "a fork is a new session");
  });
});

Deno.test("every task of a run is a session tagged with the run, resumable with clinvk resume", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - { id: a, backend: claude, prompt: alpha, name: Alpha task }
  - { id: b, backend: codex, prompt: beta }
  - { id: c, backend: gemini, prompt: gamma, tags: [extra] }
  - { id: d, backend: claude, prompt: delta, ephemeral: true }
`,
    );
    const result = await sb.run(["parallel", "-f", file, "-q"]);
    assert.equal(result.code, 0, result.stderr);
    const run = await onlyRun(sb);
    const sessions = await sb.json<{ id: string; tags: string[]; title: string | null }[]>([
      "sessions",
      "list",
      "--tag",
      `run:${run.id}`,
      "--json",
    ]);
    assert.equal(sessions.length, 3, "the ephemeral task keeps no session");
    for (const task of run.tasks.slice(0, 3)) {
      const session = sessions.find((s) => s.id === task.session_id);
      assert.ok(session, `task ${task.id}'s session is listed`);
      assert.ok(session.tags.includes(`task:${task.id}`));
    }
    assert.ok(sessions.find((s) => s.id === run.tasks[2]!.session_id)!.tags.includes("extra"));
    assert.equal(sessions.find((s) => s.id === run.tasks[0]!.session_id)!.title, "Alpha task");
    assert.equal(run.tasks[3]!.session_id, null);
    for (
      const [task, backend] of [[run.tasks[0]!, "claude"], [run.tasks[1]!, "codex"], [
        run.tasks[2]!,
        "gemini",
      ]] as const
    ) {
      const resumed = await sb.run(["resume", task.session_id!, "and more"]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(
        resumed.stdout,
        "ECHO turn=2: and more\n",
        `${backend} continues its conversation`,
      );
    }
    const calls = await readFakeLog(sb.log);
    assert.equal(calls.length, 7);
  });
});
