/**
 * A backend defined in config (`kind: custom`), end to end with `echo-agent`, a small agent CLI
 * of the tests' own: new → -c → resume → fork → ephemeral, listed and shown like a built-in one.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { backendFor } from "../../src/backends/registry.ts";
import { parseConfigText } from "../../src/config/validate.ts";
import { assertIncludes } from "../support/assert.ts";
import { type Sandbox, withSandbox } from "../support/clinvk.ts";

type Json = Record<string, unknown>;

const echoAgent = fileURLToPath(new URL("../fixtures/custom/echo-agent", import.meta.url));

/** The README's worked example, pointed at the test's echo-agent. */
export function echoConfig(command: string): string {
  return `backends:
  echo:
    kind: custom
    label: Echo Agent
    command: ${command}
    args:
      new: [run, --json, --model, "{model}", --, "{prompt}"]
      resume: [run, --json, --resume, "{session_id}", --, "{prompt}"]
      fork: [run, --json, --fork, "{session_id}", --, "{prompt}"]
      ephemeral: [run, --json, --no-save, --, "{prompt}"]
    output:
      format: jsonl
      session_id: session.id
      text: text
      model: model
      error: error.message
      usage:
        input: usage.input_tokens
        output: usage.output_tokens
    models:
      fast: echo-small
      best: echo-large
`;
}

async function withEcho(fn: (sb: Sandbox, log: string) => Promise<void>): Promise<void> {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "config.yaml"), echoConfig(echoAgent));
    await fn(sb, join(sb.dir, "echo-agent.log"));
  });
}

async function calls(log: string): Promise<{ argv: string[]; cwd: string }[]> {
  const text = await Deno.readTextFile(log).catch(() => "");
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

Deno.test("a custom backend from config runs new, -c, resume and fork, and its sessions list and show", async () => {
  await withEcho(async (sb, log) => {
    const env = { ECHO_AGENT_LOG: log, ECHO_AGENT_HOME: join(sb.dir, "echo-home") };
    const json = (args: string[]) => sb.json([...args, "-o", "json"], { env });
    const first = await json(["-b", "echo", "-m", "fast", "first"]);
    assert.equal(first.backend, "echo");
    assert.equal(first.content, "ECHO turn=1: first");
    assert.equal(first.model, "echo-small");
    assert.deepEqual(first.token_usage, { input: 10, output: 3, cached: 0, total: 13 });
    const id = String(first.session_id);

    const second = await json(["-c", "second"]);
    assert.equal(second.session_id, id);
    assert.equal(second.content, "ECHO turn=2: second");
    const third = await json(["resume", id.slice(0, 5), "third"]);
    assert.equal(third.content, "ECHO turn=3: third");
    const fork = await json(["sessions", "fork", id, "branch"]);
    assert.notEqual(fork.session_id, id);
    assert.equal(fork.content, "ECHO turn=4: branch");

    const listed = await sb.json<Json[]>(["sessions", "list", "--backend", "echo", "--json"], {
      env,
    });
    assert.deepEqual(listed.map((s) => s.id).sort(), [id, fork.session_id].sort());
    const shown = await sb.json(["sessions", "show", id, "--json"], { env });
    assert.equal(shown.turn_count, 3);
    assert.equal(shown.backend_session_id, first.backend_session_id);
    const table = await sb.run(["sessions", "list"], { env });
    assertIncludes(table.stdout, "echo");

    const argvs = (await calls(log)).map((c) => c.argv);
    assert.deepEqual(argvs[0], ["run", "--json", "--model", "echo-small", "--", "first"]);
    assert.deepEqual(argvs[1], [
      "run",
      "--json",
      "--resume",
      String(first.backend_session_id),
      "--",
      "second",
    ]);
    assert.deepEqual(argvs[3], [
      "run",
      "--json",
      "--fork",
      String(first.backend_session_id),
      "--",
      "branch",
    ]);
    assert.ok((await calls(log)).every((c) => c.cwd === sb.work));
  });
});

Deno.test("a custom backend's ephemeral run, dry run and failure behave like a built-in one's", async () => {
  await withEcho(async (sb, log) => {
    const env = { ECHO_AGENT_LOG: log, ECHO_AGENT_HOME: join(sb.dir, "echo-home") };
    const quick = await sb.json(["-b", "echo", "--ephemeral", "-o", "json", "quick"], { env });
    assert.equal(quick.session_id, undefined);
    assert.equal(quick.content, "ECHO turn=1: quick");
    assert.deepEqual(await sb.json(["sessions", "list", "--json"], { env }), []);
    assert.deepEqual((await calls(log))[0]!.argv, ["run", "--json", "--no-save", "--", "quick"]);

    const dry = await sb.run(["-b", "echo", "--dry-run", "hi"], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assertIncludes(dry.stdout, `${echoAgent} run --json -- hi`);

    const failed = await sb.run(["-b", "echo", "-o", "json", "x [[fail]]"], { env });
    assert.equal(failed.code, 1);
    assert.equal(JSON.parse(failed.stdout).error, "echo-agent failed on purpose");
    assertIncludes(failed.stderr, "echo-agent failed on purpose");
  });
});

Deno.test("a custom backend that is not installed exits 3 with its own hint", async () => {
  await withEcho(async (sb) => {
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      echoConfig("/nonexistent/echo-agent") + "    install_hint: Build it with make echo.\n",
    );
    const result = await sb.run(["-b", "echo", "hi"]);
    assert.equal(result.code, 3, result.stderr);
    assertIncludes(result.stderr, "Build it with make echo.");
  });
});

Deno.test("config validate reports a broken custom backend at its line and column", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    const path = join(sb.home, "config.yaml");
    await Deno.writeTextFile(
      path,
      [
        "default_backend: echo",
        "backends:",
        "  echo:",
        "    kind: custom",
        "    args:",
        '      new: [run, "{promt}"]',
        '      resume: [run, --, "{prompt}"]',
        "    output:",
        "      format: jsonl",
        "      text: text",
        "  mystery:",
        "    command: x",
        "  claude:",
        "    args:",
        "      new: [x]",
        "",
      ].join("\n"),
    );
    const result = await sb.run(["config", "validate"]);
    assert.equal(result.code, 2);
    assert.deepEqual(result.stdout.trim().split("\n"), [
      `${path}:6:12: backends.echo.args.new must pass the prompt: add {prompt}`,
      `${path}:6:18: backends.echo.args.new: unknown placeholder {promt} (use {prompt}, {session_id}, {model}, {workdir}; {{ and }} for braces)`,
      `${path}:7:15: backends.echo.args.resume must name the session to continue: add {session_id}`,
      `${path}:7:15: custom backend "echo" cannot be resumed without its session id: set output.session_id, or put {session_id} in args.new so that clinvk chooses it`,
      `${path}:11:3: unknown backend "mystery": to define a backend of your own, give it kind: custom (built in: claude, codex, gemini)`,
      `${path}:15:7: "backends.claude.args.new" is only for custom backends; claude is built in`,
    ]);
  });
});

Deno.test("the README's custom backend example is a valid config", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("### Custom backends"));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(yaml, "the section has a YAML example");
  const { config, problems } = parseConfigText(yaml, "README.md");
  assert.deepEqual(problems, []);
  assert.equal(config.backends.echo?.kind, "custom");
  assert.equal(backendFor(config, "echo").resolveModel("best"), "echo-large");
});
