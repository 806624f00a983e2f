/**
 * The queue's guarantees, seen from outside: a job id published twice is refused by the
 * server, a job that does reach the queue twice runs once, a worker stopped with SIGTERM
 * finishes its task and leaves the rest to others, and a worker whose backend is not logged in
 * hands the task to one where it is.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { fakeBinDir } from "../fixtures/fake_backends.ts";
import { onlyRun } from "../runs/helpers.ts";
import type { TaskJob } from "../../src/runs/dispatcher.ts";
import { promptsFinished, promptsRun, runFile, until, withCluster } from "./harness.ts";

Deno.test("a job id is queued once, and a job that reaches the queue twice still runs once", async () => {
  await withCluster(async ({ sb, nats, worker }) => {
    const w1 = await worker("w1");
    const job: TaskJob = {
      job_id: "abc123.t.1",
      run_id: "abc123",
      task_id: "t",
      attempt: 1,
      backend: "claude",
      target: { kind: "new", backend: "claude", workdir: sb.work, tags: ["from-test"] },
      prompt: "only once",
      env: {},
    };
    const nc = await connect({ servers: `127.0.0.1:${nats.port}` });
    try {
      const js = jetstream(nc);
      const data = JSON.stringify(job);
      const first = await js.publish("clinvk.tasks.claude", data, { msgID: job.job_id });
      const again = await js.publish("clinvk.tasks.claude", data, { msgID: job.job_id });
      assert.equal(first.duplicate, false);
      assert.equal(again.duplicate, true, "the server refuses the same job id");
      // A copy under another message id (as after the dedup window): the claim drops it.
      await js.publish("clinvk.tasks.claude", data, { msgID: "copy" });
      const jobs = await new Kvm(nc).open("clinvk-jobs");
      await until("the job is done", async () => {
        const entry = await jobs.get("abc123.t.1");
        return entry?.json<{ state: string }>().state === "done";
      });
      // ...and once it is done, a third copy is dropped too.
      await js.publish("clinvk.tasks.claude", data, { msgID: "third" });
      await until("the queue is empty", async () => {
        const jsm = await js.jetstreamManager();
        return (await jsm.streams.info("CLINVK_TASKS")).state.messages === 0;
      });
      const done = (await jobs.get("abc123.t.1"))!.json<
        { outcome: { worker: string; exit_code: number; content: string } }
      >();
      assert.equal(done.outcome.worker, "w1");
      assert.equal(done.outcome.exit_code, 0);
      assert.match(done.outcome.content, /ECHO turn=1: only once/);
    } finally {
      await nc.close();
    }
    assert.deepEqual(await promptsRun(w1), ["only once"]);
  });
});

Deno.test("SIGTERM: a worker finishes its running task, takes no new one, and exits 0", async () => {
  await withCluster(async ({ sb, nats, worker, spawn }) => {
    const w1 = await worker("w1", { args: ["--max-parallel", "1"] });
    const file = await runFile(
      sb,
      "tasks.yaml",
      "tasks:\n" +
        '  - { id: busy, backend: claude, prompt: "busy [[fake:sleep=2000]]" }\n' +
        '  - { id: next, backend: claude, prompt: "next one" }\n',
    );
    const coordinator = spawn(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"]);
    await until("w1 runs busy", async () => (await promptsRun(w1)).length === 1);
    w1.child.kill("SIGTERM");
    assert.equal((await w1.exited).code, 0, w1.stderr.text);
    assert.match(w1.stderr.text, /SIGTERM: finishing 1 running task\(s\), taking no new ones/);
    assert.deepEqual(await promptsFinished(w1), ["busy [[fake:sleep=2000]]"]);
    // The queued task waits for another worker.
    const w2 = await worker("w2");
    assert.equal((await coordinator.exited).code, 0, coordinator.stderr.text);
    assert.deepEqual(await promptsRun(w2), ["next one"]);
    const record = await onlyRun(sb);
    assert.deepEqual(record.tasks.map((t) => [t.id, t.state, t.worker]), [
      ["busy", "done", "w1"],
      ["next", "done", "w2"],
    ]);
  });
});

Deno.test("a worker whose backend is not logged in gives the task back and stops taking that backend", async () => {
  await withCluster(async ({ sb, nats, worker, spawn, run }) => {
    // On this "machine" claude answers as the real CLI does without a login.
    const notLoggedIn = join(sb.dir, "claude-no-login");
    await Deno.writeTextFile(
      notLoggedIn,
      `#!/bin/sh
n=$#; prev=
for a in "$@"; do
  if [ "$prev" = "-p" ]; then a="$a [[fake:no-key]]"; fi
  set -- "$@" "$a"; prev=$a
done
shift $n
exec '${join(fakeBinDir, "claude")}' "$@"
`,
    );
    await Deno.chmod(notLoggedIn, 0o755);
    const w1 = await worker("w1", {
      config: `backends:\n  claude:\n    command: ${notLoggedIn}\n`,
    });
    const file = await runFile(
      sb,
      "tasks.yaml",
      'tasks:\n  - { id: t, backend: claude, prompt: "needs a login" }\n',
    );
    const coordinator = spawn(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"]);
    await until("w1 gives the task back", () => w1.stderr.text.includes("back to the queue"));
    assert.match(w1.stderr.text, /claude is not logged in on this machine \(Not logged in/);
    assert.match(w1.stderr.text, /gave task t of run \w+ back to the queue/);
    // It says so in its advertisement (renewed in the background: look until it shows).
    let ad: { logged_out: string[]; backends: string[] } | undefined;
    await until("w1 advertises claude as logged out", async () => {
      const listed = await run(["worker", "list", "--nats", nats.url, "--json"]);
      ad = JSON.parse(listed.stdout).find((a: { id: string }) => a.id === "w1");
      return ad?.logged_out.includes("claude") ?? false;
    });
    assert.deepEqual(ad!.backends, ["codex", "gemini"]);
    const w2 = await worker("w2");
    assert.equal((await coordinator.exited).code, 0, coordinator.stderr.text);
    const record = await onlyRun(sb);
    assert.equal(record.tasks[0]!.worker, "w2");
    assert.deepEqual(await promptsRun(w2), ["needs a login"]);
    assert.deepEqual(await promptsRun(w1), ["needs a login [[fake:no-key]]"], "w1 tried once");
  });
});
