import assert from "node:assert/strict";
import { geminiBackend } from "../../src/backends/gemini/index.ts";
import type { UnifiedEvent } from "../../src/backends/types.ts";
import { jsonLines, replay, sampleOutput } from "./samples.ts";

function feed(stdout: string) {
  const parser = geminiBackend.createStreamParser();
  const events: UnifiedEvent[] = stdout.split("\n").flatMap((line) => parser.push(line));
  return { events, parser };
}

/** Noise that must never reach the user as an error. */
function assertNoNoise(message: string | undefined): void {
  assert.ok(message !== undefined);
  for (const noise of ["256-color", "Ripgrep", "[STARTUP]", "    at ", "Full report available"]) {
    assert.ok(!message.includes(noise), `"${message}" contains "${noise}"`);
  }
  assert.ok(!message.includes("\n"));
}

/** Failed one-shot runs: stdout is empty, the error object ends stderr. */
const JSON_FAILED: Record<string, string> = {
  "error-400-json": "API error 400: fake-llm-server injected error 400",
  "error-401-json": "API error 401: fake-llm-server injected error 401",
  "error-500-json": "API error 500: fake-llm-server injected error 500",
  "error-server-down": "exception TypeError: fetch failed sending request",
  "error-no-api-key":
    "When using Gemini API, you must specify the GEMINI_API_KEY environment variable. Update your environment and try again (no reload needed if using .env)!",
};

for (const [scenario, message] of Object.entries(JSON_FAILED)) {
  Deno.test(`gemini output finds the error object at the end of stderr in ${scenario}`, async () => {
    const { stdout, stderr } = await sampleOutput("gemini", scenario);
    assert.equal(stdout, "");
    const result = replay(geminiBackend, stdout, stderr);
    assert.equal(result.error, message);
    assert.equal(result.content, "");
    assert.equal(geminiBackend.errorFromStderr(stderr), message);
    assertNoNoise(result.error);
  });
}

Deno.test("gemini output takes a bad resume id's first error line from stderr", async () => {
  const { stdout, stderr } = await sampleOutput("gemini", "error-bad-resume-id");
  const expected =
    'Error resuming session: Invalid session identifier "99999999-2222-4333-8444-555555555555".';
  assert.equal(geminiBackend.errorFromStderr(stderr), expected);
  const result = replay(geminiBackend, stdout, stderr);
  assert.equal(result.error, expected);
  assert.equal(result.backendSessionId, undefined);
});

Deno.test("gemini errorFromStderr() returns nothing when stderr is only start-up noise", async () => {
  const { stderr } = await sampleOutput("gemini", "new-json");
  assert.match(stderr, /256-color/);
  assert.equal(geminiBackend.errorFromStderr(stderr), undefined);
});

for (const scenario of ["new-stream-json", "resume-stream-json"]) {
  Deno.test(`gemini stream parser joins the deltas of ${scenario} and picks the main model`, async () => {
    const { stdout } = await sampleOutput("gemini", scenario);
    const lines = jsonLines(stdout);
    const init = lines[0] as { session_id: string; model: string };
    assert.equal(init.model, "auto");
    const deltas = lines.filter((l) => l.type === "message" && l.role === "assistant")
      .map((l) => l.content as string);
    const { events, parser } = feed(stdout);
    assert.deepEqual(events[0], {
      type: "init",
      backend: "gemini",
      backend_session_id: init.session_id,
    });
    assert.deepEqual(
      events.filter((e) => e.type === "message"),
      deltas.map((text) => ({ type: "message", text })),
    );
    const result = parser.result();
    assert.equal(result.content, deltas.join(""));
    assert.match(result.content, /^ECHO turn=\d: stream /);
    assert.equal(result.backendSessionId, init.session_id);
    // The router (gemini-3.5-flash-lite) saw ~800 input tokens, the main model ~10k.
    assert.equal(result.model, "gemini-3.8-flash");
    assert.equal(result.error, undefined);
  });
}

Deno.test("gemini stream parser sums stream usage over all models", async () => {
  const { stdout } = await sampleOutput("gemini", "new-stream-json");
  const { events, parser } = feed(stdout);
  // input_tokens 781 + 10125, cached 0 + 9939, output_tokens 19 + 7
  const usage = { input: 10906, output: 26, cached: 9939, total: 10932 };
  assert.deepEqual(parser.result().usage, usage);
  assert.deepEqual(events.at(-1), { type: "usage", usage, cumulative: false });
});

Deno.test("gemini stream parser reports a failed result as a fatal error", async () => {
  const { stdout, stderr } = await sampleOutput("gemini", "error-400-stream-json");
  const { events, parser } = feed(stdout);
  const message = "API error 400: fake-llm-server injected error 400";
  assert.deepEqual(events.filter((e) => e.type === "error"), [
    { type: "error", message, fatal: true },
  ]);
  const result = parser.result();
  assert.equal(result.error, message);
  assert.equal(result.model, "gemini-2.5-pro");
  assert.equal(result.backendSessionId, "d1ad780a-3183-4e62-a61d-f58f6d9d44a9");
  assert.equal(result.content, "");
  // Stream mode prints no JSON object on stderr; the API failure line is cleaned instead.
  assert.equal(geminiBackend.errorFromStderr(stderr), message);
});

// Tool events are not in the recorded samples (the stand-in model only echoes); these lines
// follow the Gemini CLI's documented stream-json event shapes.
Deno.test("gemini stream parser maps tool_use, tool_result and warning events", () => {
  const parser = geminiBackend.createStreamParser();
  const lines = [
    { type: "init", session_id: "g-1", model: "gemini-2.5-pro" },
    {
      type: "tool_use",
      tool_name: "read_file",
      tool_id: "read-1",
      parameters: { absolute_path: "/w/a" },
    },
    {
      type: "tool_result",
      tool_id: "read-1",
      status: "error",
      error: { type: "not_found", message: "File not found" },
    },
    { type: "error", severity: "warning", message: "Loop detected" },
    { type: "message", role: "assistant", content: "No file.", delta: true },
  ];
  const events = lines.flatMap((l) => parser.push(JSON.stringify(l)));
  assert.deepEqual(events, [
    { type: "init", backend: "gemini", backend_session_id: "g-1", model: "gemini-2.5-pro" },
    { type: "tool_use", id: "read-1", name: "read_file", input: { absolute_path: "/w/a" } },
    { type: "tool_result", id: "read-1", output: "File not found", is_error: true },
    { type: "error", message: "Loop detected", fatal: false },
    { type: "message", text: "No file." },
  ]);
  assert.equal(parser.result().model, "gemini-2.5-pro");
});

Deno.test("gemini stream parser ignores lines that are not JSON", () => {
  const parser = geminiBackend.createStreamParser();
  assert.deepEqual(parser.push("Ripgrep is not available. Falling back to GrepTool."), []);
  assert.deepEqual(parser.push("{"), []);
  assert.equal(parser.result().content, "");
});
