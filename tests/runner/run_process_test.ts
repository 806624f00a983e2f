/**
 * The process runner against real processes: stop requests reach the backend's whole process
 * group (a wrapper script that does not `exec`, a CLI that re-spawns itself), the idle limit,
 * and nothing of the group left running afterwards.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import { StopRequest } from "../../src/platform/stop_signals.ts";
import { runProcess } from "../../src/runner/run_process.ts";
import { stillRunning } from "../support/processes.ts";

const platform = denoPlatform();

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "clinvk-runner-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Waits until `path` holds a pid, and returns it. */
async function pidFrom(path: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const text = await Deno.readTextFile(path).catch(() => "");
    if (/^\d+\n/.test(text)) return Number(text.trim());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no pid in ${path}`);
}

/**
 * A wrapper that starts its worker as a child and waits for it (no `exec`), the way a launcher
 * script or a re-spawning CLI does. The worker records its pid, prints, and sleeps for long.
 */
async function wrapper(dir: string, worker: string): Promise<string> {
  const path = join(dir, "wrapper.sh");
  await Deno.writeTextFile(path, `#!/bin/sh\nsh -c '${worker}'\necho "wrapper done"\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

/** Fails when `promise` takes longer than `ms` — far longer than the run may take. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("runProcess() stops a wrapper's grandchild on timeout and does not wait for its pipes", async () => {
  await withDir(async (dir) => {
    const pidFile = join(dir, "worker.pid");
    const command = await wrapper(dir, `echo $$ > ${pidFile}; echo started; exec sleep 120`);
    const lines: string[] = [];
    const outcome = await within(
      30_000,
      runProcess(platform, {
        command,
        args: [],
        cwd: dir,
        timeoutMs: 1000,
        onStdoutLine: (line) => lines.push(line),
      }),
      "the timed-out run",
    );
    const worker = await pidFrom(pidFile);
    assert.equal(outcome.stopped?.kind, "timeout");
    assert.deepEqual(lines, ["started"]);
    assert.equal(await stillRunning(worker), false, `the worker ${worker} outlived the run`);
  });
});

Deno.test("runProcess() forwards an abort's signal to the whole group", async () => {
  await withDir(async (dir) => {
    const pidFile = join(dir, "worker.pid");
    const seen = join(dir, "seen");
    // The worker notes which signal reached it, then exits.
    const command = await wrapper(
      dir,
      `trap "echo TERM > ${seen}; exit 0" TERM; trap "echo INT > ${seen}; exit 0" INT; ` +
        `echo $$ > ${pidFile}; echo ready; while :; do sleep 0.05; done`,
    );
    const controller = new AbortController();
    const outcome = await within(
      30_000,
      runProcess(platform, {
        command,
        args: [],
        cwd: dir,
        signal: controller.signal,
        onStdoutLine: (line) => line === "ready" && controller.abort(new StopRequest("SIGTERM")),
      }),
      "the aborted run",
    );
    assert.equal(outcome.stopped?.kind, "abort");
    assert.equal((await Deno.readTextFile(seen)).trim(), "TERM");
    assert.equal(await stillRunning(await pidFrom(pidFile)), false);
  });
});

Deno.test("runProcess() kills what the backend left running when it exits", async () => {
  await withDir(async (dir) => {
    const pidFile = join(dir, "leftover.pid");
    // The backend answers and exits, leaving a background process that holds its stdout.
    const path = join(dir, "leaves.sh");
    await Deno.writeTextFile(
      path,
      `#!/bin/sh\nsh -c 'echo $$ > ${pidFile}; exec sleep 120' &\necho answer\n`,
    );
    await Deno.chmod(path, 0o755);
    const lines: string[] = [];
    const outcome = await within(
      30_000,
      runProcess(platform, {
        command: path,
        args: [],
        cwd: dir,
        onStdoutLine: (l) => lines.push(l),
      }),
      "the run",
    );
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.stopped, undefined);
    assert.deepEqual(lines, ["answer"]);
    assert.equal(
      await stillRunning(await pidFrom(pidFile)),
      false,
      "the leftover outlived the run",
    );
  });
});

Deno.test("runProcess() stops the group and throws when a line handler throws", async () => {
  await withDir(async (dir) => {
    const pidFile = join(dir, "worker.pid");
    const command = await wrapper(dir, `echo $$ > ${pidFile}; echo first; exec sleep 120`);
    const bug = new Error("the caller's sink failed");
    const thrown = await within(
      30_000,
      runProcess(platform, {
        command,
        args: [],
        cwd: dir,
        onStdoutLine: () => {
          throw bug;
        },
      }).then(() => undefined, (error) => error),
      "the run whose handler threw",
    );
    assert.equal(thrown, bug);
    const worker = await pidFrom(pidFile);
    assert.equal(await stillRunning(worker), false, `the worker ${worker} outlived the run`);
  });
});

Deno.test("runProcess() stops a backend that prints nothing for the idle limit", async () => {
  await withDir(async (dir) => {
    const outcome = await runProcess(platform, {
      command: "sh",
      args: ["-c", "echo hello; exec sleep 120"],
      cwd: dir,
      idleTimeoutMs: 500,
      onStdoutLine() {},
    });
    assert.deepEqual(outcome.stopped, { kind: "idle", afterMs: 500 });
  });
});

Deno.test("runProcess() lets a backend that keeps printing run past the idle limit", async () => {
  await withDir(async (dir) => {
    const lines: string[] = [];
    // Ten lines, 0.2 s apart: 2 s in all, each gap far below the 3 s idle limit.
    const outcome = await runProcess(platform, {
      command: "sh",
      args: ["-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo $i >&2; sleep 0.2; done; echo done"],
      cwd: dir,
      idleTimeoutMs: 3000,
      onStdoutLine: (line) => lines.push(line),
    });
    assert.equal(outcome.stopped, undefined);
    assert.deepEqual(lines, ["done"]);
    assert.equal(outcome.stderr.split("\n").filter(Boolean).length, 10);
  });
});

Deno.test("runProcess() starts nothing when the signal is already aborted", async () => {
  await withDir(async (dir) => {
    const marker = join(dir, "ran");
    const outcome = await runProcess(platform, {
      command: "sh",
      args: ["-c", `touch ${marker}`],
      cwd: dir,
      signal: AbortSignal.abort(new StopRequest("SIGHUP")),
      onStdoutLine() {},
    });
    assert.equal(outcome.stopped?.kind, "abort");
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  });
});
