/**
 * The Gemini hazards (samples/README.md), end to end against the fake Gemini, which reproduces
 * each: a failed first turn saves nothing, a later-minute resume leaves a message-less
 * duplicate that Gemini's start-up clean-up then deletes the session for, and forks must copy
 * the file that holds the conversation.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertIncludes } from "../support/assert.ts";
import { type Sandbox, withSandbox } from "../support/clinvk.ts";

type Json = Record<string, unknown>;

/** Runs clinvk with the fake Gemini's clock at `time`. */
function at(sb: Sandbox, time: string, args: string[]) {
  return sb.run(args, { env: { FAKE_BACKEND_NOW: time } });
}

async function jsonAt(sb: Sandbox, time: string, args: string[]): Promise<Json> {
  const result = await at(sb, time, [...args, "-o", "json"]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

Deno.test("a Gemini session whose first turn failed is not offered for resume: Gemini saved nothing", async () => {
  await withSandbox(async (sb) => {
    const failed = await sb.run(["-b", "gemini", "-o", "json", "auth [[fake:error=401]]"]);
    assert.equal(failed.code, 145, failed.stderr);
    const out = JSON.parse(failed.stdout);
    assert.equal(out.backend_session_id, null);
    assert.ok(!failed.stderr.includes("resume it with"), failed.stderr);
    assertIncludes(failed.stderr, "cannot be resumed");
    const shown = await sb.json(["sessions", "show", out.session_id, "--json"]);
    assert.equal(shown.status, "error");
    assert.equal(shown.backend_session_id, null);
    const resumed = await sb.run(["resume", out.session_id, "again"]);
    assert.equal(resumed.code, 4, resumed.stderr);
  });
});

Deno.test("a Gemini session resumed in a later minute still forks, resumes and survives other sessions starting", async () => {
  await withSandbox(async (sb) => {
    const first = await jsonAt(sb, "2026-12-01T08:04:10Z", ["-b", "gemini", "first"]);
    const id = String(first.session_id);
    const second = await jsonAt(sb, "2026-12-01T08:05:10Z", ["resume", id, "second"]);
    assert.equal(second.content, "ECHO turn=2: second");
    // Gemini left a message-less duplicate; clinvk removed it right after the turn.
    const chats = join(sb.env.HOME, ".gemini", "tmp", "work", "chats");
    const backendId = String(first.backend_session_id);
    const files = (await Array.fromAsync(Deno.readDir(chats))).map((e) => e.name)
      .filter((name) => name.endsWith(`-${backendId.slice(0, 8)}.jsonl`));
    assert.deepEqual(files, [`session-2026-12-01T08-04-${backendId.slice(0, 8)}.jsonl`]);

    const fork = await jsonAt(sb, "2026-12-01T08:06:10Z", ["sessions", "fork", id, "fork"]);
    assert.equal(fork.content, "ECHO turn=3: fork", "the fork copied the conversation");
    // Another session starting runs Gemini's start-up clean-up over the project.
    await jsonAt(sb, "2026-12-01T08:07:10Z", ["-b", "gemini", "unrelated"]);
    const third = await jsonAt(sb, "2026-12-01T08:08:10Z", ["resume", id, "third"]);
    assert.equal(third.content, "ECHO turn=3: third");
    const forked = await jsonAt(sb, "2026-12-01T08:09:10Z", [
      "resume",
      String(fork.session_id),
      "again",
    ]);
    assert.equal(forked.content, "ECHO turn=4: again");
  });
});
