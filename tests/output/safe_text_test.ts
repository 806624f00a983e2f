import assert from "node:assert/strict";
import { escapeControl, oneLine } from "../../src/output/safe_text.ts";
import { ClinvkError, formatError } from "../../src/errors.ts";

Deno.test("escapeControl() shows escape sequences, bells, C1 and bidi controls as text", () => {
  assert.equal(escapeControl("x\x1b]0;pwned\x07"), "x\\e]0;pwned\\x07");
  assert.equal(escapeControl("\x1b[2J\x9b31m\x7f"), "\\e[2J\\x9b31m\\x7f");
  assert.equal(escapeControl("a\u202eb\u2028c"), "a\\u{202e}b\\u{2028}c");
  assert.equal(escapeControl("plain 认证 ✓"), "plain 认证 ✓");
});

Deno.test("oneLine() keeps one line and cuts a 5,000-character value", () => {
  assert.equal(oneLine('Invalid tag "a\nb"\r\n'), 'Invalid tag "a\\nb"\\r\\n');
  const line = oneLine(`Invalid session id "${"a".repeat(5000)}": use letters`);
  assert.ok(line.length < 200, `${line.length} characters`);
  assert.match(line, /^Invalid session id "a{80}… \(5000 characters\)": use letters$/);
  // A long path is a word too, but a normal one is kept whole.
  const path = `/home/ada/${"project/".repeat(20)}config.yaml`;
  assert.equal(oneLine(`Cannot read ${path}`), `Cannot read ${path}`);
  assert.ok(oneLine("word ".repeat(2000)).length <= 2000);
});

Deno.test("formatError() escapes the message, the hint and each detail line", () => {
  const error = new ClinvkError("Bad \x1b[2J value", 2, "Try\nagain", ["one\x07", "two"]);
  assert.equal(formatError(error), "clinvk: Bad \\e[2J value. Try\\nagain.\n  one\\x07\n  two");
});
