/**
 * The picker's terminal loop, driven by raw key bytes through a fake terminal.
 */
import assert from "node:assert/strict";
import { pickSession } from "../../src/cli/picker.ts";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import type { Platform } from "../../src/platform/types.ts";
import type { SessionRecord } from "../../src/sessions/record.ts";

function session(id: string, backend: SessionRecord["backend"], prompt: string): SessionRecord {
  return {
    id,
    backend,
    backend_session_id: crypto.randomUUID(),
    model: null,
    status: "completed",
    created_at: "2025-01-27T10:00:00Z",
    last_used_at: "2025-01-27T11:30:00Z",
    workdir: "/projects/myapp",
    prompt,
    token_usage: { input: 0, output: 0, cached: 0, total: 0 },
    tags: [],
    turn_count: 1,
    metadata: {},
    schema_version: 1,
  };
}

const sessions = [
  session("aaaa000001", "claude", "fix the bug in auth.go"),
  session("bbbb000002", "codex", "implement user registration"),
  session("cccc000003", "gemini", "explain algorithm"),
];

/** A terminal that types `keys` (one chunk each) and records what is drawn. */
function terminal(keys: string[]): { platform: Platform; drawn: () => string; raw: boolean[] } {
  let drawn = "";
  const raw: boolean[] = [];
  const encoder = new TextEncoder();
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const key of keys) controller.enqueue(encoder.encode(key));
      controller.close();
    },
  });
  const platform: Platform = {
    ...denoPlatform(),
    clock: { now: () => new Date("2025-01-27T12:00:00Z") },
    stdin: {
      isTerminal: () => true,
      readUpTo: () => Promise.resolve(new Uint8Array()),
      setRaw: (mode) => raw.push(mode),
      readable,
    },
    stderr: {
      write: (text) => (drawn += text),
      isTerminal: () => true,
      columns: () => 100,
    },
  };
  return { platform, drawn: () => drawn, raw };
}

Deno.test("pickSession() returns the session chosen with arrow keys and Enter", async () => {
  const term = terminal(["\x1b[B", "\x1b[B", "\x1b[A", "\r"]);
  const chosen = await pickSession(term.platform, sessions);
  assert.equal(chosen?.id, "bbbb000002");
  assert.deepEqual(term.raw, [true, false], "raw mode is switched on and restored");
  assert.ok(term.drawn().includes("implement user registration"));
  assert.ok(term.drawn().includes("30 minutes ago"));
});

Deno.test("pickSession() filters by typed text", async () => {
  const term = terminal(["gem", "\r"]);
  assert.equal((await pickSession(term.platform, sessions))?.id, "cccc000003");
});

Deno.test("pickSession() returns nothing on Esc and restores the terminal", async () => {
  const term = terminal(["\x1b"]);
  assert.equal(await pickSession(term.platform, sessions), undefined);
  assert.deepEqual(term.raw, [true, false]);
  assert.ok(term.drawn().endsWith("\x1b[?25h"), "the cursor is shown again");
});

Deno.test("pickSession() returns nothing when input ends before a choice", async () => {
  const term = terminal(["x"]);
  assert.equal(await pickSession(term.platform, sessions), undefined);
});
