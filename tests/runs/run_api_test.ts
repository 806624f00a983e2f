/**
 * The run engine's library API in process, as `clinvk serve` uses it: parse a JSON body,
 * start a run, follow its events (a late subscriber replays what it missed), cancel it, and
 * read its record back from the store. The fakes are reached through `backends.<name>.command`
 * with their settings in `backends.<name>.env` (an in-process run inherits this test's PATH).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import type { Platform } from "../../src/platform/types.ts";
import { createFileStore } from "../../src/sessions/file_store.ts";
import {
  createRunStore,
  parseRunValue,
  type RunDeps,
  type RunEvent,
  RunFileError,
  runResults,
  startRun,
} from "../../src/runs/mod.ts";
import { fakeBinDir, fakeEnv, readFakeLog, withFakeEnv } from "../fixtures/fake_backends.ts";

async function withDeps(fn: (deps: RunDeps, work: string, log: string) => Promise<void>) {
  await withFakeEnv(async (fake) => {
    const home = join(fake.dir, "clinvk");
    const env = fakeEnv(fake.dir);
    const backends = Object.fromEntries(
      ["claude", "codex", "gemini"].map((name) => [name, { command: join(fakeBinDir, name), env }]),
    );
    await Deno.mkdir(home, { recursive: true });
    await Deno.writeTextFile(join(home, "config.yaml"), JSON.stringify({ backends }));
    const vars: Record<string, string> = { CLINVK_HOME: home, HOME: env.HOME };
    const platform: Platform = {
      ...denoPlatform(),
      env: { get: (name) => vars[name] },
      cwd: () => fake.work,
      // The test's own Ctrl-C handler is not the run's business.
      onInterrupt: () => () => {},
    };
    const { config } = await loadConfig({
      fs: platform.fs,
      env: platform.env,
      path: join(home, "config.yaml"),
      explicit: true,
    });
    const warnings: string[] = [];
    const common = {
      home,
      fs: platform.fs,
      clock: platform.clock,
      pid: platform.pid,
      sleep: platform.sleep,
      warn: (message: string) => warnings.push(message),
    };
    const deps: RunDeps = {
      platform,
      config,
      store: createFileStore(common),
      runs: createRunStore({ ...common, lockTimeoutMs: 10_000 }),
      home,
      warn: (message) => warnings.push(message),
    };
    await fn(deps, fake.work, fake.log);
    assert.deepEqual(warnings, []);
  });
}

Deno.test("startRun() runs a parsed JSON body; a late subscriber replays its events; the store has its record", async () => {
  await withDeps(async (deps, work) => {
    const { spec } = parseRunValue({
      tasks: [
        { id: "a", backend: "claude", prompt: "first" },
        { id: "b", backend: "codex", prompt: "then {{tasks.a.output}}" },
      ],
    }, { file: "request", kind: "parallel" });
    const run = await startRun(deps, spec, { cwd: work, source: null, command: "test" });
    const live: RunEvent[] = [];
    run.subscribe((event) => live.push(event));
    const { record, exitCode } = await run.done;
    assert.equal(exitCode, 0);
    assert.equal(record.status, "done");
    const replayed: RunEvent[] = [];
    run.subscribe((event) => replayed.push(event), { replay: true });
    assert.deepEqual(replayed.map((e) => e.type), [
      "run_started",
      "task_started",
      "task_done",
      "task_started",
      "task_done",
      "run_done",
    ]);
    assert.ok(live.some((e) => e.type === "task_event"), "live subscribers see backend events");
    assert.equal(live.at(-1)!.type, "run_done");
    const stored = await deps.runs.get(run.id);
    assert.deepEqual(stored, record);
    const results = runResults(stored!) as { results: { output: string }[] };
    assert.equal(results.results[1]!.output, "ECHO turn=1: then ECHO turn=1: first");
  });
});

Deno.test("RunHandle.cancel() stops running backends and cancels what did not start", async () => {
  await withDeps(async (deps, work, log) => {
    const { spec } = parseRunValue({
      tasks: [
        { id: "stuck", backend: "claude", prompt: "stuck [[fake:hang]]" },
        { id: "next", backend: "codex", needs: "stuck", prompt: "next" },
      ],
    }, { file: "request", kind: "parallel" });
    const run = await startRun(deps, spec, { cwd: work, source: null });
    await new Promise<void>((resolve) => {
      run.subscribe((event) => {
        if (event.type === "task_event" && event.event.type === "init") resolve();
      }, { replay: true });
    });
    run.cancel();
    const { record, exitCode } = await run.done;
    assert.equal(exitCode, 1);
    assert.equal(record.status, "canceled");
    assert.deepEqual(record.tasks.map((t) => t.state), ["canceled", "canceled"]);
    assert.equal((await readFakeLog(log)).length, 1);
  });
});

Deno.test("parseRunValue() and startRun() refuse bad runs before anything runs", async () => {
  await withDeps(async (deps, work, log) => {
    assert.throws(
      () =>
        parseRunValue({ tasks: [{ prompt: "x", needs: ["ghost"] }] }, {
          file: "",
          kind: "parallel",
        }),
      (error) => error instanceof RunFileError && /unknown task "ghost"/.test(error.message),
    );
    const { spec } = parseRunValue(
      { tasks: [{ prompt: "x", workdir: "does/not/exist" }] },
      { file: "", kind: "parallel" },
    );
    await assert.rejects(
      startRun(deps, spec, { cwd: work, source: null }),
      /Task "task-1": Working directory .*does not exist/,
    );
    assert.deepEqual(await deps.runs.list(), []);
    assert.deepEqual(await readFakeLog(log), []);
  });
});
