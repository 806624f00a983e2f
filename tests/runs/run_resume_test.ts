/**
 * Runs survive their process: kill -9 and Ctrl-C leave a record that `clinvk runs resume`
 * finishes without re-running finished tasks; `runs cancel` stops a run from another terminal.
 */
import assert from "node:assert/strict";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { type Sandbox, spawnClinvk, withSandbox } from "../support/clinvk.ts";
import { callsWith, processAlive, readRuns, waitFor, writeRunFile } from "./helpers.ts";
import type { RunRecord } from "../../src/runs/run_record.ts";

const FILE = `tasks:
  - { id: a, backend: claude, prompt: "a fast" }
  - { id: b, backend: codex, prompt: "b fast" }
  - { id: c, backend: claude, needs: a, prompt: "c slow [[fake:sleep=4000]]" }
  - { id: d, backend: gemini, prompt: "d slow [[fake:sleep=4000]]" }
  - { id: e, backend: codex, needs: c, prompt: "e after c" }
`;

/** Starts `clinvk parallel` in the background and waits until c and d are running. */
async function startAndWait(sb: Sandbox, text = FILE) {
  const file = await writeRunFile(sb, "t.yaml", text);
  const child = spawnClinvk(sb.env, ["parallel", "-f", file, "-q"], { cwd: sb.work });
  let record: RunRecord | undefined;
  await waitFor("tasks c and d to be running with their sessions", async () => {
    [record] = await readRuns(sb);
    const byId = new Map(record?.tasks.map((t) => [t.id, t]));
    return ["a", "b"].every((id) => byId.get(id)?.state === "done") &&
      ["c", "d"].every((id) => byId.get(id)?.state === "running" && byId.get(id)?.session_id) &&
      (await callsWith(sb, "c slow")).length === 1 && (await callsWith(sb, "d slow")).length === 1;
  });
  return { child, record: record! };
}

async function killOrphans(sb: Sandbox) {
  for (const call of await readFakeLog(sb.log)) {
    try {
      Deno.kill(call.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

Deno.test("after kill -9 of clinvk mid-run, runs resume finishes only the unfinished tasks", async () => {
  await withSandbox(async (sb) => {
    const { child, record } = await startAndWait(sb);
    Deno.kill(child.pid, "SIGKILL");
    await child.output();
    // A killed clinvk cannot stop its backends; end them so they do not linger after the test.
    await killOrphans(sb);
    const listed = await sb.json<{ id: string; status: string; live: boolean }[]>([
      "runs",
      "list",
      "--json",
    ]);
    assert.deepEqual(listed.map((r) => [r.id, r.status, r.live]), [[
      record.id,
      "interrupted",
      false,
    ]]);
    const staleC = record.tasks.find((t) => t.id === "c")!.session_id!;

    const resumed = await sb.run(["runs", "resume", record.id.slice(0, 6), "--json"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const out = JSON.parse(resumed.stdout);
    assert.equal(out.status, "done");
    assert.deepEqual(out.results.map((r: { state: string }) => r.state), Array(5).fill("done"));
    assert.equal((await callsWith(sb, "a fast")).length, 1, "finished tasks are not run again");
    assert.equal((await callsWith(sb, "b fast")).length, 1);
    assert.equal((await callsWith(sb, "c slow")).length, 2);
    assert.equal((await callsWith(sb, "d slow")).length, 2);
    assert.equal((await callsWith(sb, "e after c")).length, 1);
    const [after] = await readRuns(sb);
    const c = after!.tasks.find((t) => t.id === "c")!;
    assert.deepEqual(c.previous_sessions, [staleC]);
    assert.notEqual(c.session_id, staleC);
    // The half-run session of the killed process is no longer `active`.
    const stale = await sb.json<{ status: string }>(["sessions", "show", staleC, "--json"]);
    assert.equal(stale.status, "error");
  });
});

Deno.test("Ctrl-C stops the backends, exits 130 and leaves the run resumable", async () => {
  await withSandbox(async (sb) => {
    const { child, record } = await startAndWait(sb);
    Deno.kill(child.pid, "SIGINT");
    const output = await child.output();
    assert.equal(output.code, 130, new TextDecoder().decode(output.stderr));
    for (const call of await readFakeLog(sb.log)) {
      assert.equal(await processAlive(call.pid), false, `${call.cli} ${call.pid} was stopped`);
    }
    const [stopped] = await readRuns(sb);
    assert.equal(stopped!.status, "interrupted");
    assert.deepEqual(
      stopped!.tasks.map((t) => [t.id, t.state]),
      [["a", "done"], ["b", "done"], ["c", "canceled"], ["d", "canceled"], ["e", "pending"]],
    );
    const resumed = await sb.run(["runs", "resume", record.id]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await callsWith(sb, "a fast")).length, 1);
    assert.equal((await callsWith(sb, "e after c")).length, 1);
    const [finished] = await readRuns(sb);
    assert.equal(finished!.status, "done");
  });
});

Deno.test("runs cancel stops a run driven by another process; runs resume refuses a busy run", async () => {
  await withSandbox(async (sb) => {
    // c and d never finish by themselves, however slow the machine is.
    const { child, record } = await startAndWait(
      sb,
      FILE.replaceAll("[[fake:sleep=4000]]", "[[fake:hang]]"),
    );
    const busy = await sb.run(["runs", "resume", record.id]);
    assert.equal(busy.code, 5);
    assert.match(
      busy.stderr,
      new RegExp(`^clinvk: Run ${record.id} is in use by process ${child.pid}`),
    );
    const deleted = await sb.run(["runs", "delete", record.id]);
    assert.equal(deleted.code, 5, "a running run cannot be deleted");

    const canceled = await sb.run(["runs", "cancel", record.id]);
    assert.equal(canceled.code, 0, canceled.stderr);
    assert.match(canceled.stderr, new RegExp(`Canceled run ${record.id}`));
    const output = await child.output();
    assert.equal(output.code, 1);
    for (const call of await readFakeLog(sb.log)) {
      assert.equal(await processAlive(call.pid), false, `${call.cli} ${call.pid} was stopped`);
    }
    const [stopped] = await readRuns(sb);
    assert.equal(stopped!.status, "canceled");
    assert.deepEqual(
      stopped!.tasks.map((t) => t.state),
      ["done", "done", "canceled", "canceled", "canceled"],
    );
    assert.equal((await callsWith(sb, "e after c")).length, 0);
  });
});

Deno.test("SIGTERM (a cancelled CI job) stops the backends with SIGTERM and exits 143", async () => {
  await withSandbox(async (sb) => {
    const { child } = await startAndWait(sb);
    Deno.kill(child.pid, "SIGTERM");
    const output = await child.output();
    assert.equal(output.code, 143, new TextDecoder().decode(output.stderr));
    for (const call of await readFakeLog(sb.log)) {
      assert.equal(await processAlive(call.pid), false, `${call.cli} ${call.pid} was stopped`);
    }
    const [stopped] = await readRuns(sb);
    assert.equal(stopped!.status, "interrupted");
    assert.equal(stopped!.tasks.find((t) => t.id === "e")!.state, "pending");
  });
});
