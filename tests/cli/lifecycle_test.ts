/**
 * The session lifecycle of a turn, in process (`runCli` on a platform whose backend calls
 * replay the recorded samples): start failures, a fork created without a prompt, the one fatal error of stream-json, time limits and signals.
 */
import assert from "node:assert/strict";
import { SpawnError } from "../../src/platform/types.ts";
import { assertIncludes } from "../support/assert.ts";
import { inProcess, sample } from "../support/in_process.ts";

type Json = Record<string, unknown>;

/** The recorded new-session stream of `cli`, whatever it is asked. */
const NEW: Record<string, string> = {
  claude: "new-stream-json",
  codex: "new-json",
  gemini: "new-stream-json",
};

Deno.test("a backend that cannot start leaves no session, and an existing one is saved as error", async () => {
  await using sb = await inProcess();
  sb.script = () => ({ fail: new SpawnError("not-found", "No such file or directory") });
  const missing = await sb.run(["-b", "codex", "hello"]);
  assert.equal(missing.code, 3);
  assertIncludes(missing.stderr, "npm install -g @openai/codex");
  assert.deepEqual(await sb.json(["sessions", "list", "--json"]), []);

  sb.script = () => sample("codex", "new-json");
  const made = await sb.json(["-b", "codex", "-o", "json", "one"]);
  sb.script = () => ({ fail: new SpawnError("not-found", "No such file or directory") });
  const again = await sb.run(["resume", String(made.session_id), "two"]);
  assert.equal(again.code, 3);
  const shown = await sb.json(["sessions", "show", String(made.session_id), "--json"]);
  assert.equal(shown.status, "error", "not left active");
});

Deno.test("a fork made without a prompt forks the backend session on its first turn", async () => {
  await using sb = await inProcess();
  sb.script = () => sample("claude", NEW.claude!);
  const parent = await sb.json(["-b", "claude", "-o", "json", "first"]);
  const forked = await sb.run(["sessions", "fork", String(parent.session_id)]);
  assert.equal(forked.code, 0, forked.stderr);
  const forkId = forked.stdout.trim();
  const pending = await sb.json(["sessions", "show", forkId, "--json"]);
  assert.equal((pending.metadata as Json).fork_of, parent.backend_session_id);
  assert.equal(pending.backend_session_id, null);

  sb.script = () => sample("claude", "fork-json");
  const turn = await sb.json(["resume", forkId, "-o", "json", "branch"]);
  const call = sb.calls.at(-1)!;
  assert.ok(call.args.includes("--fork-session"), call.args.join(" "));
  assert.equal(call.args[call.args.indexOf("--resume") + 1], parent.backend_session_id);
  const done = await sb.json(["sessions", "show", forkId, "--json"]);
  assert.equal(done.backend_session_id, turn.backend_session_id);
  assert.notEqual(done.backend_session_id, parent.backend_session_id);
  assert.equal((done.metadata as Json).fork_of, undefined);
  assert.equal(done.parent_id, parent.session_id);
});

Deno.test("a fork made without a prompt keeps -m for its first turn; one that cannot fork is refused, dry run too", async () => {
  await using sb = await inProcess();
  sb.script = () => sample("claude", NEW.claude!);
  const parent = await sb.json(["-b", "claude", "-o", "json", "first"]);
  const forked = await sb.json([
    "sessions",
    "fork",
    String(parent.session_id),
    "-m",
    "fast",
    "-o",
    "json",
  ]);
  assert.equal((forked.metadata as Json).requested_model, "haiku");
  assert.equal(forked.model, "haiku");

  for (
    const args of [["sessions", "fork", String(forked.id)], [
      "sessions",
      "fork",
      "--dry-run",
      String(forked.id),
    ]]
  ) {
    const refused = await sb.run(args);
    assert.equal(refused.code, 4, args.join(" "));
    assertIncludes(
      refused.stderr,
      `Session ${forked.id} cannot be forked: it has no backend session to copy yet`,
    );
  }
  sb.script = () => sample("claude", "fork-json");
  await sb.json(["resume", String(forked.id), "-o", "json", "branch"]);
  const call = sb.calls.at(-1)!;
  assert.equal(call.args[call.args.indexOf("--model") + 1], "haiku");
});

for (
  const [cli, scenario] of [["claude", "error-500-stream-json"], ["codex", "error-500-json"], [
    "gemini",
    "error-400-stream-json",
  ]]
) {
  Deno.test(`-o stream-json prints ${cli}'s ${scenario} as one fatal error, then done`, async () => {
    await using sb = await inProcess();
    sb.script = () => sample(cli!, scenario!);
    const result = await sb.run(["-b", cli!, "-o", "stream-json", "x"]);
    assert.notEqual(result.code, 0);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(events.filter((e) => e.type === "error").map((e) => e.fatal), [true]);
    assert.deepEqual(events.slice(-2).map((e) => e.type), ["error", "done"]);
  });
}

Deno.test("--timeout stops a backend that hangs: its group gets SIGTERM, exit 124, the session is saved as error", async () => {
  await using sb = await inProcess();
  const { stdout } = sample("claude", NEW.claude!);
  sb.script = () => ({ stdout: stdout!.slice(0, 1), hang: true });
  const result = await sb.run(["-b", "claude", "-o", "json", "--timeout", "0.2", "wait"]);
  assert.equal(result.code, 124, result.stderr);
  assert.equal(sb.calls[0]!.signals[0], "SIGTERM");
  const out = JSON.parse(result.stdout);
  assert.equal(out.status, "error");
  assertIncludes(out.error, "timed out after 0.2 s");
  const shown = await sb.json(["sessions", "show", out.session_id, "--json"]);
  assert.equal(shown.status, "error");
  assert.ok(shown.backend_session_id, "the id reported before the hang is kept: resumable");
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  Deno.test(`${signal} during a turn is forwarded to the backend's group, the session saved as error, exit ${code}`, async () => {
    await using sb = await inProcess();
    const { stdout } = sample("codex", NEW.codex!);
    sb.script = () => ({
      stdout: stdout!.slice(0, 1),
      hang: true,
      onStart: () => setTimeout(() => sb.signal(signal), 20),
    });
    const result = await sb.run(["-b", "codex", "-o", "json", "wait"]);
    assert.equal(result.code, code, result.stderr);
    assert.equal(sb.calls[0]!.signals[0], signal);
    const out = JSON.parse(result.stdout);
    assert.equal(out.status, "error");
    assertIncludes(String(out.error), `interrupted (clinvk received ${signal})`);
    assertIncludes(result.stderr, `resume it with: clinvk resume ${out.session_id}`);
  });
}
