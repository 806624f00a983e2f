/**
 * A run's tasks go through the one turn engine like any other turn: each task session has its
 * turn history, and a task that would start over a daily budget fails with exit 6 and runs no
 * backend.
 */
import assert from "node:assert/strict";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { withSandbox } from "../support/clinvk.ts";
import { writeConfig, writeRunFile } from "./helpers.ts";

type Result = { task_id: string; session_id: string; exit_code: number; error?: string };

Deno.test("a run's task sessions have their turn history; over a daily budget a task fails with exit 6 unless --force", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      "tasks:\n  - { id: a, backend: claude, prompt: hello }\n  - { id: b, backend: codex, prompt: again }\n",
    );
    const done = await sb.run(["parallel", "-f", file, "--json"]);
    assert.equal(done.code, 0, done.stderr);
    for (const result of JSON.parse(done.stdout).results as Result[]) {
      const shown = await sb.json(["sessions", "show", result.session_id, "--turns", "--json"]);
      const turns = shown.turns as { n: number; prompt: string }[];
      assert.deepEqual(turns.map((t) => [t.n, t.prompt]), [
        [1, result.task_id === "a" ? "hello" : "again"],
      ]);
    }

    await writeConfig(sb, "session:\n  budget:\n    daily_tokens: 10\n");
    const refused = await sb.run(["parallel", "-f", file, "--json"]);
    assert.equal(refused.code, 1, refused.stderr);
    for (const result of JSON.parse(refused.stdout).results as Result[]) {
      assert.equal(result.exit_code, 6);
      assert.match(result.error ?? "", /daily token budget is used up/);
    }
    assert.equal((await readFakeLog(sb.log)).length, 2, "no backend ran over the budget");

    // --force runs them anyway.
    const forced = await sb.run(["parallel", "-f", file, "--json", "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(
      (JSON.parse(forced.stdout).results as Result[]).map((r) => r.exit_code),
      [0, 0],
    );
    assert.equal((await readFakeLog(sb.log)).length, 4, "both backends ran once more");
  });
});
