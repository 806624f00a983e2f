/**
 * Runs across machines when things break, each against a real nats-server and real worker
 * processes: a worker killed with SIGKILL mid-task, the coordinator killed mid-run and resumed,
 * and the NATS server restarted while tasks are queued and running.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { callPrompt, onlyRun } from "../runs/helpers.ts";
import {
  promptsFinished,
  promptsRun,
  runFile,
  until,
  withCluster,
  type WorkerProc,
} from "./harness.ts";

async function running(worker: WorkerProc, prefix: string): Promise<boolean> {
  return (await promptsRun(worker)).some((p) => p.startsWith(prefix));
}

async function finished(worker: WorkerProc, prefix: string): Promise<boolean> {
  return (await promptsFinished(worker)).some((p) => p.startsWith(prefix));
}

Deno.test("a worker killed with SIGKILL mid-task: the task runs again on another worker, nothing finished runs twice, and its half-run session is marked error when it comes back", async () => {
  await withCluster(async ({ sb, nats, worker, spawn }) => {
    const w1 = await worker("w1", { args: ["--max-parallel", "2"] });
    const file = await runFile(
      sb,
      "tasks.yaml",
      "tasks:\n" +
        '  - { id: quick, backend: claude, prompt: "quick one" }\n' +
        '  - { id: slow, backend: claude, prompt: "slow one [[fake:sleep=10000]]" }\n' +
        '  - { id: after, backend: codex, needs: [quick], prompt: "after quick" }\n',
    );
    const coordinator = spawn(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"]);
    await until(
      "w1 has finished quick and runs slow",
      async () => await finished(w1, "quick") && await running(w1, "slow"),
    );
    const w2 = await worker("w2");
    await until("w1 has finished after", () => finished(w1, "after"));
    // Long enough to outlast quick, after and w2's start on a loaded machine; said if not.
    assert.ok(!(await finished(w1, "slow")), "slow was still running on w1 when it was killed");
    w1.child.kill("SIGKILL");
    await w1.exited;

    const status = await coordinator.exited;
    assert.equal(status.code, 0, coordinator.stderr.text);
    assert.equal(JSON.parse(coordinator.stdout.text).completed, 3);
    assert.match(
      coordinator.stderr.text,
      /^clinvk: warning: task slow: worker w1 stopped answering, so the task runs again on worker w2$/m,
      "the coordinator says why the task started over",
    );
    const record = await onlyRun(sb);
    const slow = record.tasks.find((t) => t.id === "slow")!;
    assert.equal(slow.worker, "w2", "the killed task was redelivered to the other worker");
    assert.match(slow.output!, /ECHO turn=1: slow one/);
    // What had finished on w1 was not run again.
    const onW2 = (await promptsRun(w2)).sort();
    assert.deepEqual(onW2, ["slow one [[fake:sleep=10000]]"]);
    assert.deepEqual(
      record.tasks.filter((t) => t.id !== "slow").map((t) => t.worker),
      ["w1", "w1"],
    );

    // w1 comes back (same id, same store): its half-run session of "slow" is marked error.
    const sessionsOf = async (home: string) => {
      const found: { id: string; status: string; tags: string[]; error?: string }[] = [];
      for await (const entry of Deno.readDir(join(home, "sessions"))) {
        if (entry.name.endsWith(".json")) {
          found.push(JSON.parse(await Deno.readTextFile(join(home, "sessions", entry.name))));
        }
      }
      return found;
    };
    const partial = (await sessionsOf(w1.home)).find((s) => s.tags.includes("task:slow"))!;
    assert.ok(["active", "created"].includes(partial.status), `it was left ${partial.status}`);
    const back = await worker("w1", { home: w1.home, args: ["--max-parallel", "2"] });
    assert.match(
      back.stderr.text,
      /1 task\(s\) were running when this worker last stopped; their sessions here are marked error; 1 had already gone to another worker/,
    );
    const after = (await sessionsOf(w1.home)).find((s) => s.id === partial.id)!;
    assert.equal(after.status, "error");
    assert.match(after.error!, /worker w1 stopped in the middle of this task/);
  });
});

Deno.test("the coordinator killed mid-run: workers go on, and runs resume takes their results and dispatches only what never started", async () => {
  await withCluster(async ({ sb, nats, worker, spawn, run }) => {
    const w1 = await worker("w1", { args: ["--max-parallel", "1"] });
    const file = await runFile(
      sb,
      "tasks.yaml",
      "tasks:\n" +
        '  - { id: t1, backend: claude, prompt: "first [[fake:sleep=1500]]" }\n' +
        '  - { id: t2, backend: claude, prompt: "second" }\n' +
        '  - { id: t3, backend: codex, prompt: "third" }\n' +
        '  - { id: t4, backend: claude, needs: [t1], prompt: "fourth after {{tasks.t1.output}}" }\n',
    );
    const coordinator = spawn(["parallel", "-f", file, "--dispatch", nats.url, "-q"]);
    await until("w1 runs t1", () => running(w1, "first"));
    coordinator.child.kill("SIGKILL");
    await coordinator.exited;
    const killed = await onlyRun(sb);
    assert.equal(killed.status, "running");
    assert.equal(killed.tasks.find((t) => t.id === "t4")!.state, "pending");

    // The worker goes on with what was queued, with nobody listening.
    await until("w1 has run t1, t2 and t3", async () => {
      const done = await promptsFinished(w1);
      return ["first", "second", "third"].every((p) => done.some((d) => d.startsWith(p)));
    });
    const resumed = await run(["runs", "resume", killed.id, "--json", "-q"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout);
    assert.equal(summary.completed, 4);
    const record = await onlyRun(sb);
    assert.equal(record.status, "done");
    for (const task of record.tasks) {
      assert.equal(task.attempts, 1, `${task.id} was dispatched once`);
      assert.equal(task.worker, "w1");
    }
    assert.match(
      record.tasks.find((t) => t.id === "t4")!.prompt!,
      /fourth after ECHO turn=1: first/,
    );
    // Every task's backend ran exactly once.
    const prompts = (await readFakeLog(w1.calls)).map(callPrompt).map((p) => p.split(" ")[0]);
    assert.deepEqual(prompts.sort(), ["first", "fourth", "second", "third"]);
  });
});

Deno.test("the NATS server restarted: queued tasks survive, a running task goes on and reports after the worker reconnects", async () => {
  await withCluster(async ({ sb, nats, worker, spawn }) => {
    const w1 = await worker("w1", { args: ["--max-parallel", "1"] });
    const file = await runFile(
      sb,
      "tasks.yaml",
      "tasks:\n" +
        '  - { id: long, backend: claude, prompt: "long [[fake:sleep=3000]]" }\n' +
        '  - { id: q2, backend: claude, prompt: "queued two" }\n' +
        '  - { id: q3, backend: gemini, prompt: "queued three" }\n',
    );
    const coordinator = spawn(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"]);
    await until("w1 runs long", () => running(w1, "long"));
    await nats.restart();
    const status = await coordinator.exited;
    assert.equal(status.code, 0, coordinator.stderr.text);
    assert.equal(JSON.parse(coordinator.stdout.text).completed, 3);
    assert.match(w1.stderr.text, /lost the connection to NATS/);
    assert.match(w1.stderr.text, /reconnected to NATS/);
    const prompts = (await promptsRun(w1)).sort();
    assert.deepEqual(prompts, ["long [[fake:sleep=3000]]", "queued three", "queued two"]);
    const record = await onlyRun(sb);
    assert.ok(record.tasks.every((t) => t.state === "done" && t.worker === "w1"));
  });
});

Deno.test("Ctrl-C on the coordinator stops the run's tasks on the workers; the run stays resumable", async () => {
  await withCluster(async ({ sb, nats, worker, spawn }) => {
    const w1 = await worker("w1", { args: ["--max-parallel", "1"] });
    const file = await runFile(
      sb,
      "tasks.yaml",
      "tasks:\n" +
        '  - { id: stuck, backend: claude, prompt: "stuck [[fake:hang]]" }\n' +
        '  - { id: waiting, backend: claude, prompt: "waiting" }\n',
    );
    const coordinator = spawn([
      "parallel",
      "-f",
      file,
      "--dispatch",
      nats.url,
      "-o",
      "stream-json",
    ]);
    await until("w1 runs stuck", () => running(w1, "stuck"));
    await until(
      "the coordinator shows the task's events",
      () => coordinator.stdout.text.includes('"type":"task_event"'),
    );
    coordinator.child.kill("SIGINT");
    const status = await coordinator.exited;
    assert.equal(status.code, 130, coordinator.stderr.text);
    await until("w1 stopped the backend", () => w1.stderr.text.includes("stopped by its run"));
    const record = await onlyRun(sb);
    assert.equal(record.status, "interrupted");
    const events = coordinator.stdout.text.trim().split("\n").map((line) => JSON.parse(line));
    const init = events.find((e) => e.type === "task_event" && e.event.type === "init");
    assert.equal(init?.task_id, "stuck", "the worker's live events reach the coordinator");
    // The task not yet taken was canceled on the server: no worker runs it later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(await promptsRun(w1), ["stuck [[fake:hang]]"]);
    w1.child.kill("SIGTERM");
    assert.equal((await w1.exited).code, 0, w1.stderr.text);
    assert.ok(
      !(await promptsFinished(w1)).some((p) => p.startsWith("stuck")),
      "the hanging backend was stopped, not left to finish",
    );
  });
});

Deno.test("a task given back to the queue, then stopped with its run, still names the worker holding its session", async () => {
  await withCluster(async ({ sb, nats, worker, spawn }) => {
    const w1 = await worker("w1", { args: ["--max-parallel", "1"] });
    const file = await runFile(
      sb,
      "tasks.yaml",
      'tasks:\n  - { id: stuck, backend: claude, prompt: "stuck [[fake:hang]]" }\n',
    );
    const coordinator = spawn(["parallel", "-f", file, "--dispatch", nats.url, "-q"]);
    await until("the run record names stuck's session", async () => {
      const record = await onlyRun(sb).catch(() => undefined);
      return Boolean(record?.tasks[0]?.session_id);
    });
    // Stopped at once, the worker hands the task back; its partial session stays on w1.
    w1.child.kill("SIGTERM");
    await until("w1 is stopping", () => w1.stderr.text.includes("taking no new ones"));
    w1.child.kill("SIGTERM");
    await w1.exited;
    assert.match(w1.stderr.text, /gave task stuck of run \S+ back to the queue/);
    await until(
      "the coordinator says the task is queued again",
      () =>
        coordinator.stderr.text.includes(
          "task stuck went back to the queue (worker w1 gave it up)",
        ),
    );
    coordinator.child.kill("SIGINT");
    assert.equal((await coordinator.exited).code, 130, coordinator.stderr.text);
    const stuck = (await onlyRun(sb)).tasks[0]!;
    assert.equal(stuck.state, "canceled");
    assert.ok(stuck.session_id, "the partial session is still named");
    assert.equal(stuck.worker, "w1", "and so is the worker whose store holds it");
  });
});

Deno.test("a worker cut off past the ack wait does not acknowledge the task another worker took over, so that task still outlives the second worker's death", async () => {
  await withCluster(async ({ sb, nats, worker, spawn }) => {
    const w1 = await worker("w1", { args: ["--max-parallel", "1"] });
    const file = await runFile(
      sb,
      "tasks.yaml",
      'tasks:\n  - { id: slow, backend: claude, prompt: "slow [[fake:sleep=10000]]" }\n',
    );
    const coordinator = spawn(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"]);
    await until("w1 runs slow", () => running(w1, "slow"));
    // Started once w1 holds the task; slow is long enough for w2 to start on a loaded machine.
    const w2 = await worker("w2", { args: ["--max-parallel", "1"] });
    // Frozen, w1 misses its heartbeats and its pings: the task goes to w2. Its backend (another
    // process) runs on, so w1 wakes with a result for a task it no longer holds.
    Deno.kill(w1.child.pid, "SIGSTOP");
    try {
      await until("w2 took slow over", () => running(w2, "slow"));
    } finally {
      Deno.kill(w1.child.pid, "SIGCONT");
    }
    await until(
      "w1 noticed it lost the task",
      () => w1.stderr.text.includes("was given to another worker while this one was cut off"),
    );
    assert.ok(!(await finished(w2, "slow")), "w2 is still running slow");
    w2.child.kill("SIGKILL");
    await w2.exited;
    // The message is still unacknowledged: it comes back, and w1 runs it to the end.
    let ended = false;
    coordinator.exited.then(() => ended = true);
    await until("the run finished", () => ended, 60_000);
    const status = await coordinator.exited;
    assert.equal(status.code, 0, coordinator.stderr.text);
    const record = await onlyRun(sb);
    assert.equal(record.tasks[0]!.worker, "w1");
    assert.equal((await promptsRun(w1)).length, 2, "w1 ran slow again after w2 died");
  });
});
