import assert from "node:assert/strict";
import { editDistance, suggestKey } from "../../src/config/suggest.ts";

Deno.test("editDistance() counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("same", "same"), 0);
});

const cases: [string, string | undefined][] = [
  ["session.retension_days", "session.retention_days"],
  ["sesion.retention_days", "session.retention_days"],
  ["retention_days", "session.retention_days"],
  ["default_backnd", "default_backend"],
  ["output.colour", "output.color"],
  ["backends.claud.model", "backends.claude.model"],
  // exists under every backend: guessing one would mislead
  ["model", undefined],
  ["something_else_entirely", undefined],
];
for (const [input, expected] of cases) {
  Deno.test(`suggestKey() suggests ${expected ?? "nothing"} for "${input}"`, () => {
    assert.equal(suggestKey(input), expected);
  });
}
