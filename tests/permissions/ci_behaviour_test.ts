/**
 * clinvk the way a CI job runs it: no terminal, `--ephemeral`, machine-readable output, exit
 * codes. Real clinvk processes against the fake backends.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { clinvkArgv, type CliResult, runClinvk, withSandbox } from "../support/clinvk.ts";

const BACKENDS = ["claude", "codex", "gemini"] as const;

/** Every file and directory under `dir`, relative; none when it does not exist. */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(dir, prefix))) {
      const path = join(prefix, entry.name);
      names.push(path);
      if (entry.isDirectory) names.push(...await tree(dir, path));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

function assertNoEscapes(result: CliResult, what: string) {
  assert.ok(!result.stdout.includes("\x1b["), `${what}: escape codes on stdout`);
  assert.ok(!result.stderr.includes("\x1b["), `${what}: escape codes on stderr`);
}

for (const backend of BACKENDS) {
  Deno.test(`clinvk --ephemeral -b ${backend} leaves nothing in CLINVK_HOME`, async () => {
    await withSandbox(async (sb) => {
      for (const format of ["text", "json", "stream-json"]) {
        const result = await sb.run(["--ephemeral", "-b", backend, "-o", format, "x"]);
        assert.equal(result.code, 0, result.stderr);
      }
      assert.equal((await readFakeLog(sb.log)).filter((c) => c.cli === backend).length >= 3, true);
      assert.deepEqual(await tree(sb.home), []);
    });
  });
}

Deno.test("clinvk --ephemeral adds nothing next to an existing config.yaml", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "config.yaml"), "default_backend: codex\n");
    const result = await sb.run(["--ephemeral", "x"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await tree(sb.home), ["config.yaml"]);
  });
});

Deno.test("without a terminal nothing is coloured and no spinner is drawn, even with NO_COLOR unset", async () => {
  await withSandbox(async (sb) => {
    // The sandbox sets NO_COLOR=1 for every other test; this one must really lack it.
    const { NO_COLOR: _, ...env } = sb.env;
    assert.equal("NO_COLOR" in env, false);
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "config.yaml"), "output:\n  color: auto\n");
    // Slow answers, so a spinner would have had time to draw.
    const run = (args: string[]) =>
      runClinvk({ ...env, FAKE_BACKEND_DELAY_MS: "400" }, args, { cwd: sb.work });
    const runs: [string, string[]][] = [
      ["text answer", ["-b", "claude", "hello"]],
      ["json answer", ["-b", "codex", "-o", "json", "hello"]],
      ["stream-json answer", ["-b", "gemini", "-o", "stream-json", "hello"]],
      ["failed turn", ["-b", "claude", "bad [[fake:error=400]]"]],
      ["sessions list", ["sessions", "list"]],
      ["usage error", ["--nope"]],
      ["help", ["--help"]],
    ];
    for (const [what, args] of runs) assertNoEscapes(await run(args), what);
    const [latest] = JSON.parse((await run(["sessions", "list", "--json"])).stdout);
    const show = await run(["sessions", "show", latest.id]);
    assert.equal(show.code, 0, show.stderr);
    assertNoEscapes(show, "sessions show");
  });
});

Deno.test("-o json keeps stdout one JSON object and puts the error line on stderr", async () => {
  await withSandbox(async (sb) => {
    const failed = await sb.run(["-b", "gemini", "-o", "json", "bad [[fake:error=400]]"]);
    const out = JSON.parse(failed.stdout);
    assert.equal(failed.code, out.exit_code, "the exit code and the JSON disagree");
    assert.notEqual(out.exit_code, 0);
    assert.equal(out.status, "error");
    assert.match(out.error, /injected error 400/);
    assert.equal(failed.stderr.trimEnd().split("\n").length, 1, failed.stderr);
    assert.ok(failed.stderr.startsWith("clinvk: "), failed.stderr);

    const timedOut = await sb.run([
      "-b",
      "claude",
      "-o",
      "json",
      "--timeout",
      "1",
      "[[fake:hang]]",
    ]);
    assert.equal(timedOut.code, 124);
    assert.equal(JSON.parse(timedOut.stdout).exit_code, 124);
  });
});

Deno.test("-o stream-json writes only JSON lines on stdout, diagnostics on stderr", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.sessionsDir, { recursive: true });
    await Deno.writeTextFile(join(sb.sessionsDir, "brokenfile.json"), "{not json");
    const result = await sb.run(["-b", "codex", "-o", "stream-json", "hello"]);
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(events.at(-1).type, "done");
    const list = await sb.run(["sessions", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(JSON.parse(list.stdout).length, 1);
    assert.match(list.stderr, /brokenfile\.json/, "the bad file is reported on stderr");
  });
});

Deno.test("exit codes are the documented ones for what a CI job meets", async () => {
  await withSandbox(async (sb) => {
    const cases: [string, string[], number, Record<string, string>?][] = [
      ["success", ["-b", "claude", "hello"], 0],
      ["unknown flag", ["--nope", "x"], 2],
      ["unknown backend", ["-b", "nope", "x"], 2],
      ["empty prompt", ["-b", "claude", "  "], 2],
      ["backend not installed", ["-b", "codex", "x"], 3, { PATH: "/usr/bin:/bin" }],
      ["no such session", ["sessions", "show", "zzzzzzzz"], 4],
      ["nothing to continue", ["-c", "-b", "gemini", "x"], 4],
      ["backend failed", ["-b", "claude", "bad [[fake:error=500]]"], 1],
      ["timeout", ["-b", "codex", "--timeout", "1", "[[fake:hang]]"], 124],
    ];
    for (const [what, args, code, env] of cases) {
      const result = await sb.run(args, env ? { env } : {});
      assert.equal(result.code, code, `${what}: ${result.stderr}`);
      if (code !== 0) assert.match(result.stderr, /^clinvk: /m, what);
    }
  });
});

Deno.test("a reader that stops early (| head) neither breaks the turn nor prints an error", async () => {
  await withSandbox(async (sb) => {
    const [deno, ...clinvk] = clinvkArgv();
    const child = new Deno.Command(deno!, {
      args: [
        ...clinvk,
        "-b",
        "claude",
        "-o",
        "stream-json",
        "hello [[fake:sleep=300]]",
      ],
      cwd: sb.work,
      env: sb.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Close the read end before clinvk writes anything: every write then meets EPIPE.
    await child.stdout.cancel();
    const stderr = await new Response(child.stderr).text();
    const status = await child.status;
    assert.equal(stderr, "");
    assert.equal(status.code, 0);
    const [session] = JSON.parse((await sb.run(["sessions", "list", "--json"])).stdout);
    assert.equal(session.status, "completed", "the session was not saved");
  });
});
