import assert from "node:assert/strict";
import { SCHEMA_VERSION } from "../../src/sessions/record.ts";
import { validateRecord } from "../../src/sessions/validate_record.ts";
import { recordJson } from "./helpers.ts";

Deno.test("validateRecord() migrates the guide's record and fills missing optional fields", () => {
  const guide = {
    id: "abc123def",
    backend: "claude",
    backend_session_id: "sess_abc123",
    model: "claude-opus-4-5-20251101",
    status: "active",
    created_at: "2025-01-27T10:00:00Z",
    last_used_at: "2025-01-27T11:30:00Z",
    workdir: "/projects/myapp",
    prompt: "fix the bug in auth.go",
    token_usage: { input: 1234, output: 5678, cached: 500, total: 6912 },
    metadata: { exit_code: 0, duration_seconds: 2.5 },
  };
  const result = validateRecord(guide, "abc123def");
  assert.ok(result.ok);
  assert.deepEqual(result.record.tags, []);
  assert.equal(result.record.turn_count, 0);
  assert.equal(result.record.schema_version, SCHEMA_VERSION);
  assert.equal(result.record.token_usage.total, 6912);
});

Deno.test("validateRecord() keeps fields it does not know", () => {
  const result = validateRecord({ ...recordJson("abc"), future_field: [1] }, "abc");
  assert.ok(result.ok);
  assert.deepEqual((result.record as unknown as Record<string, unknown>).future_field, [1]);
});

Deno.test("validateRecord() says which field is wrong", () => {
  const cases: [unknown, RegExp][] = [
    [[1, 2], /not a JSON object \(found an array\)/],
    [null, /not a JSON object \(found null\)/],
    [{ ...recordJson("abc"), backend: undefined }, /missing field "backend"/],
    [{ ...recordJson("abc"), backend: "Nope!" }, /field "backend" has an impossible value "Nope!"/],
    [{ ...recordJson("abc"), status: 3 }, /field "status" must be a string/],
    [{ ...recordJson("abc"), created_at: "yesterday" }, /"created_at" is not a valid timestamp/],
    [{ ...recordJson("abc"), tags: "a,b" }, /"tags" must be an array of strings/],
    [{ ...recordJson("abc"), token_usage: { total: "9" } }, /token_usage.total/],
    [{ ...recordJson("abc"), id: "other" }, /id "other" does not match the file name/],
  ];
  for (const [raw, reason] of cases) {
    const result = validateRecord(raw, "abc");
    assert.ok(!result.ok, String(reason));
    assert.match(result.reason, reason);
  }
});
