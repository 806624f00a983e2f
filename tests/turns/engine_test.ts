/**
 * The turn engine's contract (`runTurn`), in process, against the fake backends (reached
 * through `backends.<name>.command`, so this test's PATH stays as it is).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { UnifiedEvent } from "../../src/backends/types.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import { createFileStore } from "../../src/sessions/file_store.ts";
import { forkSession, runTurn, type TurnDeps } from "../../src/turns/engine.ts";
import { StopRequest } from "../../src/platform/stop_signals.ts";
import {
  fakeBinDir,
  fakeEnv,
  type FakeSandbox,
  readFakeLog,
  withFakeEnv,
} from "../fixtures/fake_backends.ts";

function engineDeps(sb: FakeSandbox): TurnDeps {
  const platform = { ...denoPlatform(), onInterrupt: () => () => {} };
  const config = defaultConfig();
  for (const name of ["claude", "codex", "gemini"] as const) {
    config.backends[name].command = join(fakeBinDir, name);
    config.backends[name].env = fakeEnv(sb.dir);
  }
  const store = createFileStore({
    home: join(sb.dir, "clinvk"),
    fs: platform.fs,
    clock: platform.clock,
    pid: platform.pid,
    sleep: platform.sleep,
    warn: () => {},
    lockTimeoutMs: 10_000,
  });
  return { platform, config, store, warn: () => {} };
}

Deno.test("runTurn() runs new, resume and fork turns that continue one conversation", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const events: [string, string | undefined][] = [];
    const first = await runTurn(
      deps,
      { kind: "new", backend: "claude", workdir: sb.work, tags: ["run-x"], title: "T" },
      { prompt: "hello", onEvent: (event, id) => events.push([event.type, id]) },
    );
    assert.equal(first.exitCode, 0, first.error);
    assert.equal(first.content, "ECHO turn=1: hello");
    assert.equal(first.status, "completed");
    assert.equal(first.cwd, sb.work);
    assert.equal(first.argv[0], join(fakeBinDir, "claude"));
    assert.ok(events.some(([type, id]) => type === "init" && id === first.sessionId));
    const record = await deps.store.get(first.sessionId!);
    assert.deepEqual(record?.tags, ["run-x"]);
    assert.equal(record?.title, "T");

    const second = await runTurn(deps, { kind: "resume", sessionId: first.sessionId! }, {
      prompt: "again",
    });
    assert.equal(second.content, "ECHO turn=2: again");
    assert.equal(second.sessionId, first.sessionId);

    const fork = await runTurn(deps, { kind: "fork", sessionId: first.sessionId! }, {
      prompt: "branch",
    });
    assert.equal(fork.content, "ECHO turn=3: branch");
    assert.notEqual(fork.sessionId, first.sessionId);
    assert.equal((await deps.store.get(fork.sessionId!))?.parent_id, first.sessionId);

    const calls = await readFakeLog(sb.log);
    assert.equal(calls.length, 3);
    assert.ok(calls[1]!.argv.includes(first.backendSessionId!), "resume passes the backend id");
    assert.ok(calls[2]!.argv.includes("--fork-session"));
  });
});

Deno.test("runTurn({dryRun}) reports the command and runs and writes nothing", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const report = await runTurn(deps, { kind: "new", backend: "codex", workdir: sb.work }, {
      prompt: "hi",
      dryRun: true,
    });
    assert.equal(report.status, "dry-run");
    assert.deepEqual(report.argv.slice(1, 3), ["exec", "--json"]);
    assert.equal(report.argv.at(-1), "hi");
    assert.deepEqual(await readFakeLog(sb.log), []);
    assert.deepEqual(await deps.store.list(), []);
  });
});

Deno.test("runTurn() stops the backend when the signal aborts and saves the session as error", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const controller = new AbortController();
    const report = await runTurn(deps, { kind: "new", backend: "gemini", workdir: sb.work }, {
      prompt: "wait [[fake:hang]]",
      signal: controller.signal,
      onEvent(event: UnifiedEvent) {
        if (event.type === "init") controller.abort();
      },
    });
    assert.equal(report.exitCode, ExitCode.Interrupted);
    assert.equal(report.errorClass, "interrupted");
    assert.equal((await deps.store.get(report.sessionId!))?.status, "error");
  });
});

Deno.test("runTurn() classifies a backend's API failure", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const report = await runTurn(deps, { kind: "ephemeral", backend: "claude", workdir: sb.work }, {
      prompt: "x [[fake:error=401]]",
    });
    assert.notEqual(report.exitCode, 0);
    assert.equal(report.errorClass, "auth");
    assert.equal(report.sessionId, undefined);
  });
});

for (const backend of ["claude", "codex", "gemini"] as const) {
  Deno.test(`runTurn() classifies a ${backend} rate limit as rate_limit`, async () => {
    await withFakeEnv(async (sb) => {
      const report = await runTurn(
        engineDeps(sb),
        { kind: "ephemeral", backend, workdir: sb.work },
        {
          prompt: "x [[fake:error=429]]",
        },
      );
      assert.notEqual(report.exitCode, 0);
      assert.equal(report.errorClass, "rate_limit", report.error);
    });
  });
}

Deno.test("runTurn() passes the system prompt with Claude's flag and as a preamble to the others", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const systemPrompt = "-Answer in French";
    for (const backend of ["claude", "codex", "gemini"] as const) {
      const report = await runTurn(deps, { kind: "ephemeral", backend, workdir: sb.work }, {
        prompt: "hello",
        systemPrompt,
      });
      assert.equal(report.exitCode, 0, report.error);
    }
    const [claude, codex, gemini] = (await readFakeLog(sb.log)).filter((c) =>
      c.argv[0] !== "--delete-session"
    );
    assert.ok(
      claude!.argv.includes(`--append-system-prompt=${systemPrompt}`),
      claude!.argv.join(" "),
    );
    assert.ok(claude!.argv.includes("hello"));
    const preamble =
      `[System instructions]\n${systemPrompt}\n[End of system instructions]\n\nhello`;
    assert.equal(codex!.argv.at(-1), preamble);
    assert.ok(gemini!.argv.includes(preamble), gemini!.argv.join(" "));
  });
});

Deno.test("runTurn() of a session that does not exist throws exit 4 before running", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    await assert.rejects(
      runTurn(deps, { kind: "resume", sessionId: "nosuch0000" }, { prompt: "x" }),
      (error) => error instanceof ClinvkError && error.exitCode === ExitCode.SessionNotFound,
    );
    assert.deepEqual(await readFakeLog(sb.log), []);
  });
});

Deno.test("runTurn() stops a backend that prints nothing for idleTimeoutMs (exit 124, timeout)", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const report = await runTurn(deps, { kind: "new", backend: "claude", workdir: sb.work }, {
      prompt: "wait [[fake:hang]]",
      idleTimeoutMs: 1500,
    });
    assert.equal(report.exitCode, ExitCode.Timeout);
    assert.equal(report.errorClass, "timeout");
    assert.match(report.error ?? "", /printed nothing for 1\.5 s/);
    assert.equal((await deps.store.get(report.sessionId!))?.status, "error");
  });
});

Deno.test("runTurn() ends with 128 + n when a StopRequest for signal n aborts it", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const controller = new AbortController();
    const report = await runTurn(deps, { kind: "ephemeral", backend: "codex", workdir: sb.work }, {
      prompt: "wait [[fake:hang]]",
      signal: controller.signal,
      onEvent(event) {
        if (event.type === "init") controller.abort(new StopRequest("SIGTERM"));
      },
    });
    assert.equal(report.exitCode, 143);
    assert.equal(report.errorClass, "interrupted");
    assert.match(report.error ?? "", /SIGTERM/);
  });
});

Deno.test("runTurn() records every session turn in its history (failed ones too), ephemeral turns nowhere", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const first = await runTurn(deps, { kind: "new", backend: "claude", workdir: sb.work }, {
      prompt: "hello",
    });
    const failed = await runTurn(deps, { kind: "resume", sessionId: first.sessionId! }, {
      prompt: "again [[fake:error=401]]",
    });
    assert.notEqual(failed.exitCode, 0);
    const fork = await runTurn(deps, { kind: "fork", sessionId: first.sessionId! }, {
      prompt: "branch",
    });
    const turns = await deps.store.turns(first.sessionId!);
    assert.deepEqual(
      turns.map((t) => [t.n, t.prompt, t.exit_code === 0, t.error_class]),
      [[1, "hello", true, null], [2, "again [[fake:error=401]]", false, "backend"]],
    );
    assert.equal(turns[0]!.answer, "ECHO turn=1: hello");
    assert.deepEqual(turns[0]!.usage, first.usage);
    const forkTurns = await deps.store.turns(fork.sessionId!);
    assert.deepEqual(forkTurns.map((t) => [t.prompt, t.answer]), [["branch", fork.content]]);

    await runTurn(deps, { kind: "ephemeral", backend: "claude", workdir: sb.work }, {
      prompt: "secret",
    });
    const all = await deps.store.search({ text: "secret" });
    assert.deepEqual(all, [], "an ephemeral turn leaves no history");
  });
});

Deno.test("runTurn() refuses a turn over a daily budget (exit 6) before anything runs or is created, unless force", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const first = await runTurn(deps, { kind: "new", backend: "codex", workdir: sb.work }, {
      prompt: "hello",
    });
    deps.config.session.budget.daily_tokens = first.usage.total;
    const targets = [
      { kind: "new", backend: "codex", workdir: sb.work },
      { kind: "resume", sessionId: first.sessionId! },
      { kind: "fork", sessionId: first.sessionId! },
      { kind: "ephemeral", backend: "codex", workdir: sb.work },
    ] as const;
    for (const target of targets) {
      await assert.rejects(
        runTurn(deps, target, { prompt: "more" }),
        (error: unknown) =>
          error instanceof ClinvkError && error.exitCode === ExitCode.BudgetExceeded &&
          /daily token budget is used up/.test(error.message),
        target.kind,
      );
    }
    assert.equal((await readFakeLog(sb.log)).length, 1, "no backend ran");
    assert.equal((await deps.store.list()).length, 1, "no session was created");
    assert.equal((await deps.store.turns(first.sessionId!)).length, 1);
    const forced = await runTurn(deps, { kind: "resume", sessionId: first.sessionId! }, {
      prompt: "anyway",
      force: true,
    });
    assert.equal(forced.exitCode, 0, forced.error);
  });
});

Deno.test("a pending Codex fork counts only its own turn when its parent ran on meanwhile", async () => {
  await withFakeEnv(async (sb) => {
    const deps = engineDeps(sb);
    const parent = await runTurn(deps, { kind: "new", backend: "codex", workdir: sb.work }, {
      prompt: "hello",
    });
    // `clinvk sessions fork <id>` without a prompt: the backend forks on the fork's first turn.
    const pending = await forkSession(deps, { sessionId: parent.sessionId! });
    const later = await runTurn(deps, { kind: "resume", sessionId: parent.sessionId! }, {
      prompt: "second",
    });
    const fork = await runTurn(deps, { kind: "resume", sessionId: pending.id }, {
      prompt: "branch",
    });
    assert.equal(fork.exitCode, 0, fork.error);
    assert.equal(fork.content, "ECHO turn=3: branch", "Codex forked the parent as it is now");
    // Codex's counter is cumulative over the thread, and the fork's thread carries the parent's
    // two turns: what this one turn used is what a fork made just now records.
    const direct = await runTurn(deps, { kind: "fork", sessionId: parent.sessionId! }, {
      prompt: "branch",
    });
    assert.deepEqual(fork.usage, direct.usage);
    assert.ok(fork.usage.total < later.usage.total + direct.usage.total, "no parent turn counted");
    assert.deepEqual((await deps.store.get(pending.id))?.token_usage, direct.usage);
  });
});
