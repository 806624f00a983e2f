import assert from "node:assert/strict";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import {
  generateId,
  ID_ALPHABET,
  ID_LENGTH,
  isValidId,
  parseIdInput,
} from "../../src/sessions/ids.ts";

Deno.test("generateId() returns 10 lowercase letters and digits", () => {
  for (let i = 0; i < 1_000; i++) {
    const id = generateId();
    assert.equal(id.length, ID_LENGTH);
    assert.match(id, /^[a-z0-9]{10}$/);
  }
});

Deno.test("generateId() does not repeat over 10,000 draws", () => {
  const ids = new Set(Array.from({ length: 10_000 }, () => generateId()));
  assert.equal(ids.size, 10_000);
});

Deno.test("generateId() uses every character about equally often", () => {
  const counts = new Map<string, number>();
  for (let i = 0; i < 7_200; i++) {
    for (const char of generateId()) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  assert.equal(counts.size, ID_ALPHABET.length);
  // 72,000 characters over 36 symbols: 2,000 expected each; a bias would show far outside.
  for (const [char, count] of counts) {
    assert.ok(count > 1_700 && count < 2_300, `${char}: ${count}`);
  }
});

Deno.test("generateId() discards bytes that would bias the alphabet", () => {
  // 252..255 would map onto "a".."d" a second time; they must be skipped, not used.
  let call = 0;
  const fill = (bytes: Uint8Array) => {
    bytes.fill(call++ === 0 ? 255 : 1);
    return bytes;
  };
  assert.equal(generateId(fill), "bbbbbbbbbb");
});

Deno.test("isValidId() accepts lowercase letters and digits only", () => {
  for (const id of ["abc123def0", "a", "abc123def"]) assert.ok(isValidId(id), id);
  for (const id of ["", "ABC", "a/b", "..", "a.b", "ab c", "é", "a".repeat(65)]) {
    assert.ok(!isValidId(id), id);
  }
});

Deno.test("parseIdInput() lower-cases and rejects path tricks with exit 2", () => {
  assert.equal(parseIdInput("AbC12"), "abc12");
  for (const input of ["../x", "a/b", "..", "ünï", "", "   ", "abc\u0000"]) {
    assert.throws(() => parseIdInput(input), (error) => {
      assert.ok(error instanceof ClinvkError);
      assert.equal(error.exitCode, ExitCode.Usage);
      assert.match(error.message, /^Invalid session id/);
      return true;
    });
  }
});
