import assert from "node:assert/strict";
import { claudeBackend } from "../../src/backends/claude/index.ts";
import type { UnifiedEvent } from "../../src/backends/types.ts";
import { jsonLines, replay, sampleOutput } from "./samples.ts";

function feed(
  stdout: string,
): { events: UnifiedEvent[]; parser: ReturnType<typeof claudeBackend.createStreamParser> } {
  const parser = claudeBackend.createStreamParser();
  const events = stdout.split("\n").flatMap((line) => parser.push(line));
  return { events, parser };
}

/** Successful one-shot runs: answer, id, model (suffix dropped) and usage of this call. */
const JSON_OK: Record<string, { model: string; input: number; cached: number; output: number }> = {
  // input = input_tokens + cache_creation_input_tokens + cache_read_input_tokens
  "new-json": { model: "claude-opus-4-8", input: 1677 + 17296 + 0, cached: 0, output: 7 },
  "resume-json": { model: "claude-opus-4-8", input: 1715 + 17289 + 0, cached: 0, output: 7 },
  "continue-json": { model: "claude-opus-4-8", input: 1750 + 0 + 17289, cached: 17289, output: 10 },
  "fork-json": { model: "claude-opus-4-8", input: 1788 + 0 + 17289, cached: 17289, output: 9 },
  "explicit-model": { model: "claude-sonnet-4-5", input: 1756 + 27004, cached: 0, output: 7 },
  "explicit-session-id": {
    model: "claude-opus-4-8",
    input: 1677 + 17296,
    cached: 17296,
    output: 6,
  },
  "no-persistence": { model: "claude-opus-4-8", input: 1677 + 17296, cached: 17296, output: 6 },
};

for (const [scenario, expected] of Object.entries(JSON_OK)) {
  Deno.test(`claude output reads answer, session id, model and usage of ${scenario}`, async () => {
    const { stdout, stderr } = await sampleOutput("claude", scenario);
    const recorded = JSON.parse(stdout);
    const result = replay(claudeBackend, stdout, stderr);
    assert.equal(result.content, recorded.result);
    assert.equal(result.backendSessionId, recorded.session_id);
    assert.equal(result.model, expected.model);
    assert.deepEqual(result.usage, {
      input: expected.input,
      output: expected.output,
      cached: expected.cached,
      total: expected.input + expected.output,
    });
    assert.equal(result.usageIsCumulative, false);
    assert.equal(result.error, undefined);
  });
}

for (
  const scenario of [
    "error-400-json",
    "error-401-json",
    "error-429-json",
    "error-no-api-key",
    "error-server-down",
  ]
) {
  Deno.test(`claude output reports the error of ${scenario} although subtype says success`, async () => {
    const { stdout, stderr } = await sampleOutput("claude", scenario);
    const recorded = JSON.parse(stdout);
    assert.equal(recorded.subtype, "success");
    const result = replay(claudeBackend, stdout, stderr);
    assert.equal(result.error, recorded.result);
    assert.equal(result.content, "");
    assert.equal(result.backendSessionId, recorded.session_id);
    assert.deepEqual(result.usage, { input: 0, output: 0, cached: 0, total: 0 });
  });
}

Deno.test("claude output takes the error from stderr when a bad resume id leaves stdout empty", async () => {
  const { stdout, stderr } = await sampleOutput("claude", "error-bad-resume-id");
  assert.equal(stdout, "");
  const result = replay(claudeBackend, stdout, stderr);
  assert.equal(
    result.error,
    "No conversation found with session ID: 99999999-2222-4333-8444-555555555555",
  );
  assert.equal(result.backendSessionId, undefined);
  assert.equal(claudeBackend.errorFromStderr(stderr), result.error);
});

for (const scenario of ["new-stream-json", "resume-stream-json"]) {
  Deno.test(`claude stream parser turns ${scenario} into init, message and usage events`, async () => {
    const { stdout } = await sampleOutput("claude", scenario);
    const lines = jsonLines(stdout);
    const init = lines[0] as { session_id: string; model: string };
    const final = lines.at(-1) as { result: string; usage: Record<string, number> };
    const { events, parser } = feed(stdout);
    const u = final.usage;
    const input = (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) +
      (u.cache_read_input_tokens ?? 0);
    const usage = {
      input,
      output: u.output_tokens,
      cached: u.cache_read_input_tokens,
      total: input + (u.output_tokens ?? 0),
    };
    assert.deepEqual(events, [
      {
        type: "init",
        backend: "claude",
        backend_session_id: init.session_id,
        model: "claude-opus-4-8",
      },
      { type: "message", text: final.result },
      { type: "usage", usage, cumulative: false },
    ]);
    const result = parser.result();
    assert.equal(result.content, final.result);
    assert.equal(result.backendSessionId, init.session_id);
    assert.equal(result.model, "claude-opus-4-8");
    assert.deepEqual(result.usage, usage);
    assert.equal(result.error, undefined);
  });
}

Deno.test("claude stream parser emits partial deltas once, not again with the full message", async () => {
  const { stdout } = await sampleOutput("claude", "stream-json-partial");
  const { events, parser } = feed(stdout);
  const messages = events.filter((e) => e.type === "message").map((e) =>
    e.type === "message" ? e.text : ""
  );
  assert.deepEqual(messages, ["ECHO turn", "=1: partia", "l messages"]);
  assert.equal(messages.join(""), parser.result().content);
  assert.equal(parser.result().content, "ECHO turn=1: partial messages");
  // 1678 uncached + 17296 cache reads; 8 output tokens
  assert.deepEqual(parser.result().usage, { input: 18974, output: 8, cached: 17296, total: 18982 });
});

Deno.test("claude stream parser reports an API error once, as a fatal error, not as the answer", async () => {
  const { stdout, stderr } = await sampleOutput("claude", "error-500-stream-json");
  const { events, parser } = feed(stdout);
  const final = jsonLines(stdout).at(-1) as { result: string };
  assert.deepEqual(events.filter((e) => e.type === "message"), []);
  assert.deepEqual(events.filter((e) => e.type === "error"), [
    { type: "error", message: final.result, fatal: true },
  ]);
  assert.match(final.result, /^API Error: 500 fake-llm-server injected error 500\./);
  const result = parser.result();
  assert.equal(result.error, final.result);
  assert.equal(result.content, "");
  assert.equal(result.backendSessionId, "d685c6cc-87cb-49fa-b188-1566155bdff9");
  assert.equal(claudeBackend.errorFromStderr(stderr), undefined);
});

Deno.test("claude stream parser uses the synthetic error message when no result follows", async () => {
  const { stdout } = await sampleOutput("claude", "error-500-stream-json");
  const withoutResult = stdout.split("\n").filter((l) => !l.includes('"type":"result"')).join("\n");
  const { parser } = feed(withoutResult);
  assert.match(parser.result().error ?? "", /^API Error: 500 fake-llm-server injected error 500/);
});

Deno.test("claude stream parser ignores lines that are not JSON", () => {
  const parser = claudeBackend.createStreamParser();
  assert.deepEqual(parser.push("Loading settings…"), []);
  assert.deepEqual(parser.push("{not json"), []);
  assert.deepEqual(parser.push("[1,2]"), []);
  assert.deepEqual(parser.push(""), []);
  assert.equal(parser.result().content, "");
});

// Tool and thinking blocks are not in the recorded samples (the stand-in model only echoes);
// these lines follow Claude Code's documented stream-json message shapes.
Deno.test("claude stream parser maps thinking, tool_use and tool_result blocks", () => {
  const parser = claudeBackend.createStreamParser();
  const lines = [
    { type: "system", subtype: "init", session_id: "s-1", model: "claude-sonnet-4-5" },
    {
      type: "assistant",
      message: {
        id: "m1",
        content: [
          { type: "thinking", thinking: "Need the file list." },
          { type: "text", text: "Let me look." },
          { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } },
        ],
      },
      parent_tool_use_id: null,
    },
    {
      type: "user",
      message: {
        content: [{
          type: "tool_result",
          tool_use_id: "toolu_1",
          content: [{ type: "text", text: "a.txt" }],
          is_error: false,
        }],
      },
    },
    {
      type: "assistant",
      message: { id: "m2", content: [{ type: "text", text: "sub-agent chatter" }] },
      parent_tool_use_id: "toolu_9",
    },
    { type: "assistant", message: { id: "m3", content: [{ type: "text", text: "Found a.txt." }] } },
  ];
  const events = lines.flatMap((l) => parser.push(JSON.stringify(l)));
  assert.deepEqual(events, [
    { type: "init", backend: "claude", backend_session_id: "s-1", model: "claude-sonnet-4-5" },
    { type: "thinking", text: "Need the file list." },
    { type: "message", text: "Let me look." },
    { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } },
    { type: "tool_result", id: "toolu_1", output: "a.txt" },
    { type: "message", text: "Found a.txt." },
  ]);
  // No result line (e.g. the run was cut off): the last answer text stands in.
  assert.equal(parser.result().content, "Found a.txt.");
});
