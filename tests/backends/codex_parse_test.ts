import assert from "node:assert/strict";
import { codexBackend } from "../../src/backends/codex/index.ts";
import type { UnifiedEvent } from "../../src/backends/types.ts";
import { usageForTurn } from "../../src/backends/shared/usage.ts";
import { jsonLines, replay, sampleOutput } from "./samples.ts";

function feed(stdout: string) {
  const parser = codexBackend.createStreamParser();
  const events: UnifiedEvent[] = stdout.split("\n").flatMap((line) => parser.push(line));
  return { events, parser };
}

/** Successful runs: cumulative usage as recorded in `turn.completed` (input includes cached). */
const OK: Record<string, { input: number; cached: number; output: number }> = {
  "new-json": { input: 9168, cached: 0, output: 7 },
  "resume-json": { input: 18415, cached: 2235, output: 14 },
  "resume-last-json": { input: 27744, cached: 4470, output: 23 },
  "fork-json": { input: 37158, cached: 6705, output: 32 },
  "ephemeral": { input: 9167, cached: 2235, output: 6 },
  "explicit-model": { input: 11574, cached: 0, output: 7 },
  "output-last-message": { input: 9170, cached: 2235, output: 9 },
  "skip-git-repo-check": { input: 9158, cached: 2235, output: 8 },
};

for (const [scenario, expected] of Object.entries(OK)) {
  Deno.test(`codex output reads thread id, last agent message and cumulative usage of ${scenario}`, async () => {
    const { stdout, stderr } = await sampleOutput("codex", scenario);
    const lines = jsonLines(stdout);
    const threadId = lines.find((l) => l.type === "thread.started")?.thread_id;
    const answer = lines.filter((l) => l.type === "item.completed")
      .map((l) => l.item as { type: string; text: string })
      .filter((i) => i.type === "agent_message").at(-1)?.text;
    const result = replay(codexBackend, stdout, stderr);
    assert.equal(result.backendSessionId, threadId);
    assert.equal(result.content, answer);
    assert.match(result.content, /^ECHO turn=\d: /);
    assert.equal(result.model, undefined);
    assert.equal(result.usageIsCumulative, true);
    assert.deepEqual(result.usage, { ...expected, total: expected.input + expected.output });
    assert.equal(result.error, undefined);
  });
}

Deno.test("codex stream parser emits init, message and a cumulative usage event", async () => {
  const { stdout } = await sampleOutput("codex", "new-json");
  const { events } = feed(stdout);
  assert.deepEqual(events, [
    { type: "init", backend: "codex", backend_session_id: "01a20b33-5730-7563-b936-d70a82068ace" },
    { type: "message", text: "ECHO turn=1: first prompt" },
    {
      type: "usage",
      usage: { input: 9168, output: 7, cached: 0, total: 9175 },
      cumulative: true,
    },
  ]);
});

Deno.test("usageForTurn() turns Codex's cumulative resume usage into this turn's usage", async () => {
  const first = replay(codexBackend, (await sampleOutput("codex", "new-json")).stdout, "");
  const second = replay(codexBackend, (await sampleOutput("codex", "resume-json")).stdout, "");
  assert.ok(first.usage && second.usage);
  // 18415 - 9168 input, 14 - 7 output, 2235 - 0 cached
  assert.deepEqual(usageForTurn(second.usage, second.usageIsCumulative, first.usage), {
    input: 9247,
    output: 7,
    cached: 2235,
    total: 9254,
  });
});

const FAILED: Record<string, string> = {
  // The API's JSON error body is unwrapped to its message.
  "error-400-json": "fake-llm-server injected error 400",
  "error-401-json":
    "unexpected status 401 Unauthorized: fake-llm-server injected error 401, url: http://127.0.0.1:$PORT/v1/responses",
  "error-500-json": "We’re currently experiencing high demand, which may cause temporary errors.",
  "error-no-api-key": "Missing environment variable: `FAKE_OPENAI_API_KEY`.",
  "error-server-down": "Connection failed: error sending request",
};

for (const [scenario, message] of Object.entries(FAILED)) {
  Deno.test(`codex output reports turn.failed of ${scenario} as the error`, async () => {
    const { stdout, stderr } = await sampleOutput("codex", scenario);
    const result = replay(codexBackend, stdout, stderr);
    assert.equal(result.error, message);
    assert.equal(result.content, "");
    assert.equal(result.backendSessionId, jsonLines(stdout)[0]?.thread_id);
    const { events } = feed(stdout);
    // Codex prints the error twice (a notice, then turn.failed): it is reported once, fatal.
    assert.deepEqual(events.filter((e) => e.type === "error"), [
      { type: "error", message, fatal: true },
    ]);
    assert.equal(codexBackend.errorFromStderr(stderr), undefined, "stderr holds only noise");
  });
}

Deno.test("codex output uses the last notice when a retrying turn is cut off", async () => {
  const { stdout, stderr } = await sampleOutput("codex", "error-server-down-default-retries");
  const result = replay(codexBackend, stdout, stderr);
  assert.equal(
    result.error,
    "Reconnecting... waiting for network (Connection failed: error sending request)",
  );
  const { events } = feed(stdout);
  assert.ok(events.filter((e) => e.type === "error").every((e) => e.type === "error" && !e.fatal));
});

Deno.test("codex output reads a bad resume id from stderr without the stack backtrace", async () => {
  const { stdout, stderr } = await sampleOutput("codex", "error-bad-resume-id");
  const expected =
    "Error: thread/resume: thread/resume failed: no rollout found for thread id 99999999-2222-4333-8444-555555555555 (code -32600)";
  assert.equal(codexBackend.errorFromStderr(stderr), expected);
  const result = replay(codexBackend, stdout, stderr);
  assert.equal(result.error, expected);
  assert.equal(result.backendSessionId, undefined);
});

Deno.test("codex errorFromStderr() drops the stdin note outside a git repository", async () => {
  const { stdout, stderr } = await sampleOutput("codex", "error-not-git-repo");
  const expected = "Not inside a trusted directory and --skip-git-repo-check was not specified.";
  assert.equal(codexBackend.errorFromStderr(stderr), expected);
  assert.equal(replay(codexBackend, stdout, stderr).error, expected);
});

Deno.test("codex errorFromStderr() ignores the text-mode header and prefers an ERROR line", () => {
  const stderr = [
    "Reading additional input from stdin...",
    "OpenAI Codex v0.169.0",
    "--------",
    "workdir: /w",
    "model: gpt-5.5",
    "session id: 01a2",
    "--------",
    "user",
    "hi",
    "ERROR: unexpected status 401 Unauthorized",
  ].join("\n");
  assert.equal(codexBackend.errorFromStderr(stderr), "ERROR: unexpected status 401 Unauthorized");
});

// Tool items are not in the recorded samples (the stand-in model only echoes); these lines
// follow the item shapes of `codex exec --json`.
Deno.test("codex stream parser maps reasoning, commands, file changes and warnings", () => {
  const parser = codexBackend.createStreamParser();
  const lines = [
    { type: "thread.started", thread_id: "t-1" },
    { type: "item.completed", item: { id: "item_0", type: "reasoning", text: "Listing files" } },
    {
      type: "item.started",
      item: { id: "item_1", type: "command_execution", command: "ls", status: "in_progress" },
    },
    {
      type: "item.completed",
      item: {
        id: "item_1",
        type: "command_execution",
        command: "ls",
        aggregated_output: "a.txt\n",
        exit_code: 0,
        status: "completed",
      },
    },
    {
      type: "item.completed",
      item: {
        id: "item_2",
        type: "file_change",
        changes: [{ path: "a.txt", kind: "update" }],
        status: "failed",
      },
    },
    { type: "item.completed", item: { id: "item_3", type: "error", message: "model fell back" } },
    { type: "item.completed", item: { id: "item_4", type: "agent_message", text: "Done." } },
  ];
  const events = lines.flatMap((l) => parser.push(JSON.stringify(l)));
  assert.deepEqual(events, [
    { type: "init", backend: "codex", backend_session_id: "t-1" },
    { type: "thinking", text: "Listing files" },
    { type: "tool_use", id: "item_1", name: "command_execution", input: { command: "ls" } },
    { type: "tool_result", id: "item_1", output: "a.txt\n" },
    {
      type: "tool_use",
      id: "item_2",
      name: "file_change",
      input: { changes: [{ path: "a.txt", kind: "update" }] },
    },
    { type: "tool_result", id: "item_2", output: "failed", is_error: true },
    { type: "error", message: "model fell back", fatal: false },
    { type: "message", text: "Done." },
  ]);
  // An item-level error is only a warning: the turn has not failed.
  assert.equal(parser.result().error, undefined);
  assert.equal(parser.result().content, "Done.");
});

Deno.test("codex stream parser ignores lines that are not JSON", () => {
  const parser = codexBackend.createStreamParser();
  assert.deepEqual(parser.push("Reading additional input from stdin..."), []);
  assert.deepEqual(parser.push('{"no_type":1}'), []);
  assert.equal(parser.result().backendSessionId, undefined);
});
