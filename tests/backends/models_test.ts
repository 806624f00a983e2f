import assert from "node:assert/strict";
import { isModelAlias, MODEL_ALIASES, resolveModelAlias } from "../../src/backends/models.ts";
import { BACKEND_NAMES } from "../../src/backends/types.ts";

Deno.test("resolveModelAlias() maps every alias to a concrete model for every backend", () => {
  for (const backend of BACKEND_NAMES) {
    for (const alias of MODEL_ALIASES) {
      const model = resolveModelAlias(backend, alias);
      assert.ok(model !== undefined && model !== alias, `${backend} ${alias}`);
    }
  }
});

Deno.test("resolveModelAlias() passes other names through and treats blank as not given", () => {
  assert.equal(resolveModelAlias("codex", "gpt-5.6-terra"), "gpt-5.6-terra");
  assert.equal(resolveModelAlias("codex", " best "), "gpt-5.6-sol");
  assert.equal(resolveModelAlias("gemini", "  "), undefined);
  assert.equal(resolveModelAlias("claude", undefined), undefined);
});

Deno.test("isModelAlias() knows only fast, balanced and best", () => {
  assert.deepEqual(["fast", "balanced", "best", "FAST", "opus"].map(isModelAlias), [
    true,
    true,
    true,
    false,
    false,
  ]);
});
