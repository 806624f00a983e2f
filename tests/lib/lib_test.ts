/**
 * The library entry (`@clinvk/cli/lib`), in process, against the fake backends. The fakes are
 * reached through `backends.<name>.command` and get their settings through
 * `backends.<name>.env` in a temp clinvk home: an in-process run inherits this test's PATH,
 * which must not be changed for everyone else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ClinvkError,
  ExitCode,
  getSession,
  listSessions,
  type PromptResult,
  runPrompt,
  type UnifiedEvent,
} from "../../src/lib.ts";
import {
  fakeBinDir,
  fakeEnv,
  type FakeSandbox,
  readFakeLog,
  withFakeEnv,
} from "../fixtures/fake_backends.ts";
import { runClinvk } from "../support/clinvk.ts";

const BACKENDS = ["claude", "codex", "gemini"] as const;

interface LibSandbox extends FakeSandbox {
  /** The clinvk home, holding a config.yaml that points at the fakes. */
  home: string;
}

/** A sandbox whose clinvk home routes every backend to its fake. */
function withLibSandbox(fn: (sb: LibSandbox) => Promise<void>): Promise<void> {
  return withFakeEnv(async (fake) => {
    const home = join(fake.dir, "clinvk");
    const env = fakeEnv(fake.dir);
    const backends = Object.fromEntries(
      BACKENDS.map((name) => [name, { command: join(fakeBinDir, name), env }]),
    );
    await Deno.mkdir(home, { recursive: true });
    // JSON is YAML, and needs no quoting rules for the paths.
    await Deno.writeTextFile(join(home, "config.yaml"), JSON.stringify({ backends }, null, 2));
    await fn({ ...fake, home });
  });
}

async function rejectsWithCode(promise: Promise<unknown>, exitCode: number, pattern: RegExp) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ClinvkError, `not a ClinvkError: ${error}`);
    assert.equal(error.exitCode, exitCode);
    assert.match(error.message, pattern);
    return true;
  });
}

for (const backend of BACKENDS) {
  Deno.test(`runPrompt() runs ${backend} in a new session that getSession() and listSessions() find`, async () => {
    await withLibSandbox(async (sb) => {
      const result = await runPrompt({
        prompt: " hello ",
        backend,
        workdir: sb.work,
        home: sb.home,
      });
      assert.equal(result.exit_code, 0, result.error);
      assert.equal(result.content, "ECHO turn=1: hello");
      assert.equal(result.backend, backend);
      assert.equal(result.status, "completed");
      assert.match(result.session_id ?? "", /^[a-z0-9]{10}$/);
      assert.ok(result.token_usage.total > 0);

      const [call] = await readFakeLog(sb.log);
      assert.equal(call!.cli, backend);
      assert.equal(call!.cwd, sb.work);
      assert.equal(call!.stdin, null);

      const session = await getSession(result.session_id!.slice(0, 5), { home: sb.home });
      assert.equal(session.id, result.session_id);
      assert.equal(session.backend_session_id, result.backend_session_id);
      assert.equal(session.workdir, sb.work);
      assert.equal(session.turn_count, 1);
      const listed = await listSessions({ home: sb.home, backend });
      assert.deepEqual(listed.map((s) => s.id), [result.session_id]);
      assert.deepEqual(await listSessions({ home: sb.home, backend: "nope" as never }), []);
    });
  });
}

Deno.test("runPrompt() resolves to the same fields as clinvk -o json, and the CLI resumes its session", async () => {
  await withLibSandbox(async (sb) => {
    const result: PromptResult = await runPrompt({
      prompt: "hello",
      backend: "codex",
      workdir: sb.work,
      home: sb.home,
    });
    const env = { ...sb.env, CLINVK_HOME: sb.home };
    const cli = await runClinvk(env, ["-b", "codex", "-o", "json", "hello"], { cwd: sb.work });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(Object.keys(result), Object.keys(JSON.parse(cli.stdout)));

    const resumed = await runClinvk(env, ["resume", result.session_id!, "again"], {
      cwd: sb.work,
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, "ECHO turn=2: again\n");
  });
});

Deno.test("runPrompt() records the turn's history and keeps to the daily budgets (force runs anyway)", async () => {
  await withLibSandbox(async (sb) => {
    const result = await runPrompt({
      prompt: "hello",
      backend: "gemini",
      workdir: sb.work,
      home: sb.home,
    });
    const env = { ...sb.env, CLINVK_HOME: sb.home };
    const shown = await runClinvk(env, [
      "sessions",
      "show",
      result.session_id!,
      "--turns",
      "--json",
    ], {
      cwd: sb.work,
    });
    assert.equal(shown.code, 0, shown.stderr);
    const turns = JSON.parse(shown.stdout).turns as { prompt: string; usage: { total: number } }[];
    assert.deepEqual(turns.map((t) => [t.prompt, t.usage.total]), [[
      "hello",
      result.token_usage.total,
    ]]);

    const set = await runClinvk(env, [
      "config",
      "set",
      "session.budget.daily_tokens",
      String(result.token_usage.total),
    ], { cwd: sb.work });
    assert.equal(set.code, 0, set.stderr);
    const options = { prompt: "more", backend: "gemini" as const, workdir: sb.work, home: sb.home };
    await rejectsWithCode(
      runPrompt(options),
      ExitCode.BudgetExceeded,
      /daily token budget is used up/,
    );
    assert.equal((await readFakeLog(sb.log)).length, 1, "no backend ran");
    const forced = await runPrompt({ ...options, force: true });
    assert.equal(forced.exit_code, 0, forced.error);
  });
});

Deno.test("runPrompt({ resume }) continues a session the CLI started, in its directory, by prefix", async () => {
  await withLibSandbox(async (sb) => {
    const env = { ...sb.env, CLINVK_HOME: sb.home };
    const cli = await runClinvk(env, ["-b", "codex", "-o", "json", "hello"], { cwd: sb.work });
    assert.equal(cli.code, 0, cli.stderr);
    const started = JSON.parse(cli.stdout) as PromptResult;
    const result = await runPrompt({
      prompt: "again",
      resume: started.session_id!.slice(0, 6),
      home: sb.home,
    });
    assert.equal(result.exit_code, 0, result.error);
    assert.equal(result.session_id, started.session_id);
    assert.equal(result.content, "ECHO turn=2: again");
    const calls = await readFakeLog(sb.log);
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1]!.argv.slice(0, 3), ["exec", "resume", "--json"]);
    assert.equal(calls[1]!.cwd, sb.work, "the session's own directory, not this process's");
    assert.equal((await getSession(started.session_id!, { home: sb.home })).turn_count, 2);

    const base = { prompt: "x", home: sb.home };
    await rejectsWithCode(
      runPrompt({ ...base, resume: "zzzzzzzz" }),
      ExitCode.SessionNotFound,
      /zzzzzzzz/,
    );
    await rejectsWithCode(
      runPrompt({ ...base, resume: started.session_id!, ephemeral: true }),
      ExitCode.Usage,
      /ephemeral/,
    );
    await rejectsWithCode(
      runPrompt({ ...base, resume: started.session_id!, backend: "claude" }),
      ExitCode.Usage,
      /backend/,
    );
  });
});

Deno.test("runPrompt({ ephemeral }) records nothing and returns no session id", async () => {
  await withLibSandbox(async (sb) => {
    const result = await runPrompt({
      prompt: "secret",
      backend: "claude",
      ephemeral: true,
      workdir: sb.work,
      home: sb.home,
    });
    assert.equal(result.exit_code, 0, result.error);
    assert.equal(result.status, "ephemeral");
    assert.equal("session_id" in result, false);
    assert.deepEqual([...Deno.readDirSync(sb.home)].map((e) => e.name), ["config.yaml"]);
    assert.ok((await readFakeLog(sb.log))[0]!.argv.includes("--no-session-persistence"));
  });
});

Deno.test("runPrompt() streams unified events to onEvent as the backend answers", async () => {
  await withLibSandbox(async (sb) => {
    const events: UnifiedEvent[] = [];
    const result = await runPrompt({
      prompt: "hello",
      backend: "gemini",
      workdir: sb.work,
      home: sb.home,
      onEvent: (event) => events.push(event),
    });
    assert.equal(events[0]?.type, "init");
    const text = events.flatMap((e) => e.type === "message" ? [e.text] : []).join("");
    assert.equal(text, result.content);
  });
});

Deno.test("runPrompt() resolves with the backend's failure instead of throwing", async () => {
  await withLibSandbox(async (sb) => {
    const result = await runPrompt({
      prompt: "bad [[fake:error=400]]",
      backend: "claude",
      workdir: sb.work,
      home: sb.home,
    });
    assert.equal(result.exit_code, ExitCode.BackendFailed);
    assert.equal(result.status, "error");
    assert.match(result.error ?? "", /injected error 400/);
    assert.equal((await getSession(result.session_id!, { home: sb.home })).status, "error");
  });
});

Deno.test("runPrompt() stops the backend on timeoutSeconds and on an aborted signal", async () => {
  await withLibSandbox(async (sb) => {
    const base = { backend: "claude" as const, workdir: sb.work, home: sb.home };
    const timedOut = await runPrompt({ ...base, prompt: "[[fake:hang]]", timeoutSeconds: 0.5 });
    assert.equal(timedOut.exit_code, ExitCode.Timeout);

    const controller = new AbortController();
    const interrupted = await runPrompt({
      ...base,
      prompt: "[[fake:hang]]",
      signal: controller.signal,
      onEvent: (event) => event.type === "init" && controller.abort(),
    });
    assert.equal(interrupted.exit_code, ExitCode.Interrupted);
    assert.equal(interrupted.status, "error");
  });
});

Deno.test("runPrompt() and getSession() throw ClinvkError with the CLI's exit codes", async () => {
  await withLibSandbox(async (sb) => {
    const base = { workdir: sb.work, home: sb.home };
    await rejectsWithCode(
      runPrompt({ ...base, prompt: "x", backend: "nope" as never }),
      ExitCode.Usage,
      /nope/,
    );
    await rejectsWithCode(runPrompt({ ...base, prompt: "   " }), ExitCode.Usage, /empty/);
    await rejectsWithCode(
      runPrompt({ ...base, prompt: "x", workdir: join(sb.dir, "missing") }),
      ExitCode.Usage,
      /missing/,
    );
    // A configured command that does not exist, rather than whatever PATH holds here.
    const otherHome = join(sb.dir, "other-home");
    await Deno.mkdir(otherHome);
    const missing = join(sb.dir, "not-installed", "codex");
    await Deno.writeTextFile(
      join(otherHome, "config.yaml"),
      JSON.stringify({ backends: { codex: { command: missing } } }),
    );
    await rejectsWithCode(
      runPrompt({ ...base, prompt: "x", backend: "codex", home: otherHome }),
      ExitCode.BackendNotFound,
      /not-installed/,
    );
    await rejectsWithCode(
      getSession("zzzzzzzz", { home: sb.home }),
      ExitCode.SessionNotFound,
      /zzzz/,
    );
    assert.deepEqual(await readFakeLog(sb.log), [], "a backend ran despite the errors");
  });
});
