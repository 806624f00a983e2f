import assert from "node:assert/strict";
import { describeApiError, oneLine } from "../../src/backends/shared/error_text.ts";
import { extractJsonObjects } from "../../src/backends/shared/json_extract.ts";
import { parseJsonLine } from "../../src/backends/shared/json_value.ts";
import { errorLine } from "../../src/backends/shared/stderr_noise.ts";
import { readSample } from "./samples.ts";

Deno.test("extractJsonObjects() finds the error object after Gemini's stack trace", async () => {
  const stderr = await readSample("gemini/error-400-json.stderr");
  const objects = extractJsonObjects(stderr);
  assert.equal(objects.length, 1, "the JS `{ status: 400 }` dump is not JSON");
  assert.equal(objects[0]?.session_id, "f19829cb-59e7-4e79-8c48-60f457b0db6e");
});

Deno.test("extractJsonObjects() handles braces inside strings and trailing noise", () => {
  const text = 'noise {"x":1}\n{"a":"}{","b":{"c":2}}\n[STARTUP] done\n  {"d":3}\n';
  assert.deepEqual(extractJsonObjects(text), [{ a: "}{", b: { c: 2 } }, { d: 3 }]);
  assert.deepEqual(extractJsonObjects("{ unterminated"), []);
});

Deno.test("parseJsonLine() returns objects only", () => {
  assert.deepEqual(parseJsonLine('  {"type":"init"}\r'), { type: "init" });
  assert.equal(parseJsonLine("[1]"), undefined);
  assert.equal(parseJsonLine("null"), undefined);
  assert.equal(parseJsonLine("{broken"), undefined);
});

Deno.test("describeApiError() unwraps JSON error bodies and their wrappers", () => {
  const body = '{"error":{"code":400,"message":"bad input","status":"INVALID_ARGUMENT"}}';
  assert.equal(describeApiError(body), "API error 400: bad input");
  assert.equal(describeApiError(`[API Error: ${body}]`), "API error 400: bad input");
  assert.equal(describeApiError(`_ApiError: ${body}`), "API error 400: bad input");
  assert.equal(describeApiError('{"error":{"message":"quota","type":"x"}}'), "quota");
  assert.equal(describeApiError("plain\n  text"), "plain text");
  assert.equal(describeApiError('{"error":"not an object"}'), '{"error":"not an object"}');
});

Deno.test("oneLine() collapses whitespace", () => {
  assert.equal(oneLine("  a\n\tb  c \n"), "a b c");
});

Deno.test("errorLine() skips noise and stack frames and prefers an error line", () => {
  const stderr = "note: starting\n    at foo (x.js:1:1)\nwarn\nError: boom\n";
  assert.equal(errorLine(stderr, { noise: [/^note:/] }), "Error: boom");
  assert.equal(errorLine("a\nb\n", { noise: [] }), "a");
  assert.equal(
    errorLine("skip\nStack backtrace:\nError: x", { noise: [/^skip/], stopAt: [/^Stack/] }),
    undefined,
  );
});
