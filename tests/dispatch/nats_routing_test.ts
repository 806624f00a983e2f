/**
 * Runs across machines, the normal path: a real nats-server, three real workers with different
 * backends installed, and `clinvk parallel --dispatch`. Tasks spread over the workers, go only
 * to workers that have their backend, a `resume: task:x` goes back to the worker holding the
 * session, and the coordinator's record and `runs show` say where each session lives.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { onlyRun } from "../runs/helpers.ts";
import { promptsRun, runFile, withCluster } from "./harness.ts";

Deno.test("parallel --dispatch spreads tasks over workers that have their backend; resume goes back to the session's worker", async () => {
  await withCluster(async ({ sb, nats, worker, run }) => {
    // w1 has everything; w2 offers claude and codex only; on w3 gemini and codex are not
    // installed (their commands do not exist), so it offers claude alone.
    const [w1, w2, w3] = await Promise.all([
      worker("w1", { args: ["--max-parallel", "1"] }),
      worker("w2", { args: ["--max-parallel", "1", "--backends", "claude,codex"] }),
      worker("w3", {
        args: ["--max-parallel", "1"],
        config: "backends:\n  gemini:\n    command: /nonexistent/gemini\n" +
          "  codex:\n    command: /nonexistent/codex\n",
      }),
    ]);
    assert.match(w3.stderr.text, /backends {4}claude \(not codex: .*; gemini: /);
    const claude = Array.from(
      { length: 6 },
      (_, i) => `  - { id: c${i}, backend: claude, prompt: "claude ${i} [[fake:sleep=400]]" }`,
    );
    const file = await runFile(
      sb,
      "tasks.yaml",
      `tasks:\n${claude.join("\n")}\n` +
        `  - { id: g1, backend: gemini, prompt: "gemini one" }\n` +
        `  - { id: g2, backend: gemini, prompt: "gemini two" }\n` +
        `  - { id: x1, backend: codex, prompt: "codex one" }\n` +
        `  - { id: again, resume: "task:c0", prompt: "continue c0" }\n`,
    );
    const result = await run(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.completed, 10);

    const record = await onlyRun(sb);
    assert.deepEqual(record.dispatch, { url: nats.url });
    const byTask = new Map(record.tasks.map((t) => [t.id, t]));
    // Only w1 has gemini.
    assert.equal(byTask.get("g1")!.worker, "w1");
    assert.equal(byTask.get("g2")!.worker, "w1");
    assert.ok(["w1", "w2"].includes(byTask.get("x1")!.worker!), "codex ran where it is installed");
    // The claude tasks overlap (0.4 s each, one slot per worker): more than one worker ran them.
    const claudeWorkers = new Set(claude.map((_, i) => byTask.get(`c${i}`)!.worker));
    assert.ok(claudeWorkers.size >= 2, `claude tasks all ran on ${[...claudeWorkers]}`);
    // The resumed task ran where c0's session is, in the same session.
    assert.equal(byTask.get("again")!.worker, byTask.get("c0")!.worker);
    assert.equal(byTask.get("again")!.session_id, byTask.get("c0")!.session_id);
    assert.match(byTask.get("again")!.output!, /turn=2: continue c0/);

    // What each worker's backends were asked: exactly the tasks the record gives it.
    for (const w of [w1, w2, w3]) {
      const prompts = await promptsRun(w);
      const expected = record.tasks.filter((t) => t.worker === w.id).map((t) => t.prompt!);
      assert.deepEqual(prompts.sort(), expected.sort(), `calls on ${w.id}`);
      if (w !== w1) assert.ok(!prompts.some((p) => p.startsWith("gemini")), `${w.id} ran gemini`);
    }
    // Sessions live where they ran: in the worker's store, not the coordinator's.
    for (const task of record.tasks) {
      const worker = [w1, w2, w3].find((w) => w.id === task.worker)!;
      const file = join(worker.home, "sessions", `${task.session_id}.json`);
      const session = JSON.parse(await Deno.readTextFile(file));
      assert.ok(session.tags.includes(`run:${record.id}`));
    }
    await assert.rejects(
      Deno.stat(join(sb.home, "sessions", `${byTask.get("c0")!.session_id}.json`)),
    );

    const shown = await run(["runs", "show", record.id]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /Dispatch: +nats:\/\/127\.0\.0\.1:\d+/);
    assert.match(shown.stdout, new RegExp(`g1 .* w1`));
    assert.match(shown.stdout, /sessions live on the workers/i);

    // A later run continues those sessions by id: each goes back to the worker holding it.
    const c0 = byTask.get("c0")!;
    const c1 = byTask.get("c1")!;
    const followFile = await runFile(
      sb,
      "follow.yaml",
      "tasks:\n" +
        `  - { id: follow, resume: "${c0.session_id!.slice(0, 6)}", prompt: "follow up" }\n` +
        `  - { id: branch, fork: "${c1.session_id}", prompt: "branch off" }\n`,
    );
    const follow = await run([
      "parallel",
      "-f",
      followFile,
      "--dispatch",
      nats.url,
      "--json",
      "-q",
    ]);
    assert.equal(follow.code, 0, follow.stderr);
    const second = JSON.parse(follow.stdout);
    const [followed, branched] = second.results;
    assert.equal(followed.worker, c0.worker);
    assert.equal(followed.session_id, c0.session_id);
    assert.match(followed.output, /turn=3: follow up/);
    assert.equal(branched.worker, c1.worker);
    assert.notEqual(branched.session_id, c1.session_id);
    const holder = [w1, w2, w3].find((w) => w.id === c1.worker)!;
    const fork = JSON.parse(
      await Deno.readTextFile(join(holder.home, "sessions", `${branched.session_id}.json`)),
    );
    assert.equal(fork.parent_id, c1.session_id);

    // Workers stop gracefully on SIGTERM and withdraw from the server.
    for (const w of [w1, w2, w3]) w.child.kill("SIGTERM");
    for (const w of [w1, w2, w3]) assert.equal((await w.exited).code, 0, w.stderr.text);
    const list = await run(["worker", "list", "--nats", nats.url, "--json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), [], "stopped workers withdraw their advertisement");
  });
});
