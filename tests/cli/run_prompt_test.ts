/**
 * The foundation's acceptance, end to end: real clinvk processes against the fake backends.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { SpawnError } from "../../src/platform/types.ts";
import { assertIncludes } from "../support/assert.ts";
import { inProcess, sample } from "../support/in_process.ts";
import { type CliResult, repoRoot, withSandbox } from "../support/clinvk.ts";

const BACKENDS = ["claude", "codex", "gemini"] as const;

/** One clear line on stderr and no stack trace. */
function assertOneLineError(result: Pick<CliResult, "stderr">) {
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${result.stderr}`);
  assert.ok(lines[0]!.startsWith("clinvk: "), result.stderr);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
}

for (const backend of BACKENDS) {
  Deno.test(`clinvk -b ${backend} prints the answer of the backend`, async () => {
    await withSandbox(async (sb) => {
      const result = await sb.run(["-b", backend, "hello"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "ECHO turn=1: hello\n");
      assert.equal(result.stderr, "");
      const [call] = await readFakeLog(sb.log);
      assert.equal(call!.cli, backend);
      assert.equal(call!.cwd, sb.work);
      assert.equal(call!.stdin, null, "the backend's stdin must be closed");
    });
  });

  Deno.test(`clinvk -b ${backend} -o json prints one object with ids, model and usage`, async () => {
    await withSandbox(async (sb) => {
      const out = await sb.json(["-b", backend, "-o", "json", "hello"]);
      assert.equal(out.backend, backend);
      assert.equal(out.content, "ECHO turn=1: hello");
      assert.equal(out.exit_code, 0);
      assert.equal(out.status, "completed");
      assert.match(String(out.backend_session_id), /^[0-9a-f-]{36}$/);
      assert.match(String(out.session_id), /^[a-z0-9]{10}$/);
      assert.equal(typeof out.duration_seconds, "number");
      assert.ok("model" in out);
      const usage = out.token_usage as { input: number; output: number; total: number };
      assert.ok(usage.total > 0);
      assert.equal(usage.total, usage.input + usage.output);
    });
  });

  Deno.test(`clinvk -b ${backend} -o stream-json prints unified init, message and done events`, async () => {
    await withSandbox(async (sb) => {
      const result = await sb.run(["-b", backend, "-o", "stream-json", "hello"]);
      assert.equal(result.code, 0, result.stderr);
      const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
      const types = events.map((e) => e.type);
      assert.equal(types[0], "init");
      assert.equal(types.at(-1), "done");
      assert.ok(types.includes("message"));
      assert.equal(events[0].backend, backend);
      assert.match(events[0].session_id, /^[a-z0-9]{10}$/);
      const text = events.filter((e) => e.type === "message").map((e) => e.text).join("");
      assert.equal(text, "ECHO turn=1: hello");
      const done = events.at(-1);
      assert.equal(done.status, "completed");
      assert.ok(done.token_usage.total > 0);
    });
  });
}

Deno.test("clinvk reads the prompt from stdin when none is given", async () => {
  await withSandbox(async (sb) => {
    const result = await sb.run(["-b", "claude"], { stdin: "hello\n" });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "ECHO turn=1: hello\n");
  });
});

Deno.test("clinvk -b nope exits 2 and lists the known backends", async () => {
  await using sb = await inProcess();
  const result = await sb.run(["-b", "nope", "x"]);
  assert.equal(result.code, 2);
  assertOneLineError(result);
  assertIncludes(result.stderr, "claude, codex, gemini");
  assert.deepEqual(sb.calls, []);
});

Deno.test("clinvk exits 3 with an install hint when the backend is not on PATH", async () => {
  await using sb = await inProcess();
  sb.script = () => ({ fail: new SpawnError("not-found", "No such file or directory") });
  const result = await sb.run(["-b", "codex", "x"]);
  assert.equal(result.code, 3);
  assertOneLineError(result);
  assertIncludes(result.stderr, "npm");
});

Deno.test("clinvk exits 2 naming file:line:column for a malformed config.yaml", async () => {
  await using sb = await inProcess();
  await Deno.mkdir(sb.home, { recursive: true });
  const path = join(sb.home, "config.yaml");
  await Deno.writeTextFile(path, "session:\n  retention_days: [1, 2\n");
  const result = await sb.run(["x"]);
  assert.equal(result.code, 2);
  assertOneLineError(result);
  assert.match(result.stderr, new RegExp(`${path.replaceAll("/", "\\/")}:\\d+:\\d+`));
});

Deno.test("clinvk exits 2 with a usage hint for an unknown flag", async () => {
  await using sb = await inProcess();
  const result = await sb.run(["--nope", "x"]);
  assert.equal(result.code, 2);
  assertOneLineError(result);
  assertIncludes(result.stderr, "--nope");
  assertIncludes(result.stderr, "clinvk --help");
});

const API_400: Record<string, string> = {
  claude: "error-400-json",
  codex: "error-400-json",
  gemini: "error-400-stream-json",
};

for (const backend of BACKENDS) {
  Deno.test(`clinvk passes a ${backend} API error through: message on stderr, the backend's exit code`, async () => {
    await using sb = await inProcess();
    sb.script = () => sample(backend, API_400[backend]!);
    const result = await sb.run(["-b", backend, "bad request"]);
    assert.equal(result.code, backend === "gemini" ? 144 : 1);
    assertOneLineError(result);
    assertIncludes(result.stderr, "fake-llm-server injected error 400");
    assert.equal(result.stdout, "");
  });
}

Deno.test("clinvk --dry-run prints the backend command and runs nothing", async () => {
  await using sb = await inProcess();
  const result = await sb.run(["-b", "gemini", "--dry-run", "hello world"]);
  assert.equal(result.code, 0, result.stderr);
  assertIncludes(result.stdout, "gemini -p 'hello world' -o stream-json");
  assert.deepEqual(sb.calls, []);
  assert.deepEqual(await sb.json(["sessions", "list", "--json"]), []);
});

Deno.test("clinvk reports the model from Codex's config.toml when none was asked for", async () => {
  await using sb = await inProcess();
  const codexHome = join(sb.dir, "codex-home");
  await Deno.mkdir(codexHome);
  await Deno.writeTextFile(join(codexHome, "config.toml"), 'model = "gpt-5.5"\n');
  sb.env.CODEX_HOME = codexHome;
  sb.script = () => sample("codex", "new-json");
  const out = await sb.json(["-b", "codex", "-o", "json", "hello"]);
  assert.equal(out.model, "gpt-5.5");
  const picked = await sb.json(["-b", "codex", "-m", "best", "-o", "json", "hello"]);
  assert.equal(picked.model, "gpt-5.6-sol");
});

for (const backend of BACKENDS) {
  Deno.test(`clinvk resume -o stream-json reports a failed ${backend} turn with exactly one fatal error, then done`, async () => {
    await withSandbox(async (sb) => {
      const first = await sb.json(["-b", backend, "-o", "json", "hello"]);
      const result = await sb.run([
        "resume",
        String(first.session_id),
        "-o",
        "stream-json",
        "server error [[fake:error=500]]",
      ]);
      assert.notEqual(result.code, 0);
      const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
      const errors = events.filter((e) => e.type === "error");
      assert.equal(errors.length, 1, result.stdout);
      assert.equal(errors[0].fatal, true);
      assert.equal(events.at(-1).type, "done");
      assert.equal(events.at(-2).type, "error");
    });
  });
}

Deno.test("deno task clinvk runs the backend in the caller's directory, not the checkout", async () => {
  await withSandbox(async (sb) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "--quiet",
        "--config",
        join(repoRoot, "deno.json"),
        "clinvk",
        "-b",
        "claude",
        "-o",
        "json",
        "hi",
      ],
      cwd: sb.work,
      env: { ...sb.env },
      clearEnv: true,
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const out = JSON.parse(new TextDecoder().decode(output.stdout));
    const shown = await sb.json(["sessions", "show", out.session_id, "--json"]);
    assert.equal(shown.workdir, sb.work);
    const [call] = await readFakeLog(sb.log);
    assert.equal(call!.cwd, sb.work);
  });
});

Deno.test("clinvk started by another tool's task after a cd runs where it was started, not in INIT_CWD", async () => {
  await withSandbox(async (sb) => {
    // npm, yarn and `deno task` export INIT_CWD to everything below them: a project task such
    // as `cd packages/web && clinvk "…"` must still run the backend in packages/web.
    const sub = join(sb.work, "packages", "web");
    await Deno.mkdir(sub, { recursive: true });
    const out = await sb.json(["-b", "claude", "-o", "json", "hi"], {
      cwd: sub,
      env: { INIT_CWD: sb.work },
    });
    const shown = await sb.json(["sessions", "show", String(out.session_id), "--json"]);
    assert.equal(shown.workdir, sub);
    const [call] = await readFakeLog(sb.log);
    assert.equal(call!.cwd, sub);
  });
});
