/**
 * Signals mid-turn, end to end: Ctrl-C, SIGTERM (a cancelled CI job) and SIGHUP (a closed
 * terminal or dropped ssh) reach the backend's whole process group, clinvk saves the session
 * as `error` before it exits with 128 + n, and no backend process is left running. `--timeout`
 * stops a backend that runs in a child of its own (Gemini re-spawns itself; a wrapper script
 * without `exec`) within about the grace period of the limit.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeBinDir, readFakeLog } from "../fixtures/fake_backends.ts";
import { assertIncludes } from "../support/assert.ts";
import {
  clinvkEnv,
  RUN_PERMISSIONS,
  type Sandbox,
  spawnClinvk,
  withSandbox,
} from "../support/clinvk.ts";
import { stillRunning } from "../support/processes.ts";

type Json = Record<string, unknown>;

/** Polls `sessions list` until a session is active (its backend reported its id). */
async function activeSession(sb: Sandbox): Promise<Json> {
  for (let i = 0; i < 400; i++) {
    const list = await sb.run(["sessions", "list", "--json"]);
    const active = list.code === 0
      ? (JSON.parse(list.stdout) as Json[]).find((s) => s.status === "active")
      : undefined;
    if (active) return active;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no turn became active");
}

/** The backend call of the resumed turn, once the backend has started. */
async function secondCall(sb: Sandbox) {
  for (let i = 0; i < 400; i++) {
    const call = (await readFakeLog(sb.log))[1];
    if (call) return call;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the backend of the second turn never started");
}

const CASES = [
  { backend: "claude", signal: "SIGINT", code: 130 },
  { backend: "gemini", signal: "SIGTERM", code: 143 },
  { backend: "codex", signal: "SIGHUP", code: 129 },
] as const;

for (const { backend, signal, code } of CASES) {
  Deno.test(`${signal} mid-turn stops ${backend}, saves the session as error and exits ${code}`, async () => {
    await withSandbox(async (sb) => {
      // A resumed turn: a Gemini session interrupted in its first turn holds nothing yet.
      const first = await sb.json(["-b", backend, "-o", "json", "first"]);
      const child = spawnClinvk(
        clinvkEnv(sb, sb.home),
        ["resume", String(first.session_id), "wait [[fake:hang]]"],
        { cwd: sb.work },
      );
      const active = await activeSession(sb);
      const call = await secondCall(sb);
      child.kill(signal);
      const output = await child.output();
      assert.equal(output.code, code);
      const stderr = new TextDecoder().decode(output.stderr);
      assertIncludes(stderr, `interrupted`);
      assertIncludes(stderr, `resume it with: clinvk resume ${active.id}`);
      assert.equal(await stillRunning(call.pid), false, `${backend} outlived the turn`);
      const saved = await sb.json(["sessions", "show", String(active.id), "--json"]);
      assert.equal(saved.status, "error");
      assert.equal(saved.backend_session_id, active.backend_session_id, "still resumable");
      assertIncludes(String(saved.error), signal);
      // Nothing holds the session any more: it resumes at once.
      const again = await sb.json(["resume", String(active.id), "-o", "json", "again"]);
      assert.equal(again.status, "completed");
    });
  });
}

Deno.test("--timeout stops Gemini, which re-spawns itself, and leaves no Gemini process", async () => {
  await withSandbox(async (sb) => {
    const result = await sb.run(["-b", "gemini", "--timeout", "1", "slow [[fake:sleep=60000]]"]);
    assert.equal(result.code, 124, result.stderr);
    assertIncludes(result.stderr, "timed out after 1 s");
    const [call] = await readFakeLog(sb.log);
    assert.equal(await stillRunning(call!.pid), false, "the Gemini worker outlived the turn");
  });
});

Deno.test("--timeout stops a backend behind a wrapper script that does not exec it", async () => {
  await withSandbox(async (sb) => {
    const wrapper = join(sb.dir, "claude-wrapper.sh");
    await Deno.writeTextFile(wrapper, `#!/bin/sh\n"${join(fakeBinDir, "claude")}" "$@"\n`);
    await Deno.chmod(wrapper, 0o755);
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      `backends:\n  claude:\n    command: ${wrapper}\n`,
    );
    const result = await sb.run(["-b", "claude", "--timeout", "1", "wait [[fake:hang]]"]);
    assert.equal(result.code, 124, result.stderr);
    const [call] = await readFakeLog(sb.log);
    assert.equal(await stillRunning(call!.pid), false, "the wrapped backend outlived the turn");
  });
});

Deno.test("--timeout stops the backend under a narrower --allow-run=claude too", async () => {
  await withSandbox(async (sb) => {
    // Deno then refuses to signal a process group: the backend itself is signalled instead.
    // (Before, the backend was never reached and clinvk waited for it for ever: hence the limit.)
    const permissions = [
      ...RUN_PERMISSIONS.filter((flag) => flag !== "--allow-run"),
      "--allow-run=claude",
    ];
    const child = spawnClinvk(
      clinvkEnv(sb, sb.home),
      ["-b", "claude", "--timeout", "1", "wait [[fake:hang]]"],
      { cwd: sb.work, permissions },
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<"late">((resolve) =>
      timer = setTimeout(() => resolve("late"), 60_000)
    );
    const ended = await Promise.race([child.status, limit]);
    clearTimeout(timer);
    const [call] = await readFakeLog(sb.log);
    if (ended === "late") {
      child.kill("SIGKILL");
      if (call) Deno.kill(call.pid, "SIGKILL");
    }
    const output = await child.output();
    assert.notEqual(ended, "late", "clinvk did not stop the backend");
    assert.equal(output.code, 124, new TextDecoder().decode(output.stderr));
    assert.equal(await stillRunning(call!.pid), false, "the backend outlived the turn");
  });
});
