/**
 * The interactive parts on a real pseudo-terminal (util-linux `script`): the session picker,
 * and `resume` without a prompt handing the terminal to the backend's own interactive mode.
 */
import assert from "node:assert/strict";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { clinvkArgv, RUN_PERMISSIONS, withSandbox } from "../support/clinvk.ts";
import { stillRunning } from "../support/processes.ts";

/** Runs clinvk on a pseudo-terminal, typing `keys`; resolves with everything it drew. */
async function onTerminal(
  env: Record<string, string>,
  cwd: string,
  args: string[],
  keys: string,
  limitSeconds?: number,
): Promise<string> {
  const clinvk = [...clinvkArgv(), ...args].map((word) => `'${word.replaceAll("'", `'"'"'`)}'`)
    .join(" ");
  // With a limit, report the exit code (`exit=N`, 124 when `timeout` had to stop it).
  const command = limitSeconds ? `timeout ${limitSeconds} ${clinvk}; echo "exit=$?"` : clinvk;
  const child = new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd,
    env: { ...env, TERM: "xterm" },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  // Keys typed before the picker switches to raw mode wait in the terminal's buffer.
  await writer.write(new TextEncoder().encode(keys));
  const output = await child.output();
  await writer.close().catch(() => {});
  return new TextDecoder().decode(output.stdout);
}

Deno.test("resume on a terminal shows the picker, filters by typing, and opens the chosen session interactively", async () => {
  await withSandbox(async (sb) => {
    await sb.json(["-b", "claude", "-o", "json", "fix the bug in auth.go"]);
    const gemini = await sb.json(["-b", "gemini", "-o", "json", "explain algorithm"]);
    const screen = await onTerminal(sb.env, sb.dir, ["resume"], "algo\r");
    assert.ok(screen.includes("Resume which session?"), screen);
    assert.ok(screen.includes("explain algorithm"), "the picker lists the sessions");
    const last = (await readFakeLog(sb.log)).at(-1)!;
    assert.equal(last.cli, "gemini");
    assert.deepEqual(last.argv, ["--resume", gemini.backend_session_id]);
    assert.equal(last.cwd, sb.work, "the backend runs in the session's directory");
    // The fake has no interactive mode and exits non-zero; clinvk records that.
    const shown = await sb.json(["sessions", "show", String(gemini.session_id), "--json"]);
    assert.equal(shown.status, "error");
  });
});

Deno.test("Esc in the picker cancels without running anything", async () => {
  await withSandbox(async (sb) => {
    await sb.json(["-b", "claude", "-o", "json", "one"]);
    const before = (await readFakeLog(sb.log)).length;
    await onTerminal(sb.env, sb.work, ["resume"], "\x1b");
    assert.equal((await readFakeLog(sb.log)).length, before);
  });
});

Deno.test("on a terminal, a failed start stops the spinner and clinvk exits", async () => {
  await withSandbox(async (sb) => {
    const env = { ...sb.env, PATH: sb.env.PATH.replace(/^[^:]+:/, "/nonexistent:") };
    // Without the fix the spinner's timer kept the process alive for ever; `timeout` ends it.
    const screen = await onTerminal(env, sb.work, ["-b", "gemini", "hi"], "", 15);
    assert.ok(screen.includes("was not found on PATH"), screen);
    assert.ok(screen.includes("exit=3"), screen);
  });
});

Deno.test("on a terminal, a narrower --allow-run=claude prompts for nothing: --timeout stops the backend", async () => {
  await withSandbox(async (sb) => {
    // Before, Deno prompted mid-turn for `uname` (the lease's record of the backend) and for
    // signalling the group, which stopped clinvk, its --timeout included, until answered.
    const permissions = [
      ...RUN_PERMISSIONS.filter((flag) => flag !== "--allow-run"),
      "--allow-run=claude",
    ];
    const clinvk = [
      ...clinvkArgv(permissions),
      "-b",
      "claude",
      "--timeout",
      "1",
      "wait [[fake:hang]]",
    ]
      .map((word) => `'${word.replaceAll("'", `'"'"'`)}'`).join(" ");
    const child = new Deno.Command("script", {
      args: ["-qec", `timeout -k 5 40 ${clinvk}; echo "exit=$?"`, "/dev/null"],
      cwd: sb.work,
      env: { ...sb.env, TERM: "xterm" },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const screen = new TextDecoder().decode((await child.output()).stdout);
    const [call] = await readFakeLog(sb.log);
    const outlived = call !== undefined && await stillRunning(call.pid);
    if (outlived) Deno.kill(call.pid, "SIGKILL");
    assert.ok(!screen.includes("Deno requests"), screen);
    assert.ok(screen.includes("exit=124"), screen);
    assert.equal(outlived, false, "the backend outlived the turn");
  });
});
