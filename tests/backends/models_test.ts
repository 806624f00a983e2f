import assert from "node:assert/strict";
import { getBackend } from "../../src/backends/registry.ts";
import {
  isModelAlias,
  MODEL_ALIASES,
  resolveModelAlias,
} from "../../src/backends/shared/models.ts";
import { BACKEND_NAMES } from "../../src/backends/types.ts";

Deno.test("every built-in backend maps every alias to a concrete model", () => {
  for (const name of BACKEND_NAMES) {
    for (const alias of MODEL_ALIASES) {
      const model = getBackend(name).resolveModel(alias);
      assert.ok(model !== undefined && model !== alias, `${name} ${alias}`);
    }
  }
});

Deno.test("resolveModelAlias() passes other names through and treats blank as not given", () => {
  const table = { fast: "small-1", best: "big-2" };
  assert.equal(resolveModelAlias(table, "gpt-5.6-terra"), "gpt-5.6-terra");
  assert.equal(resolveModelAlias(table, " best "), "big-2");
  assert.equal(resolveModelAlias(table, "  "), undefined);
  assert.equal(resolveModelAlias(table, undefined), undefined);
  // An alias the backend does not define passes through as a name.
  assert.equal(resolveModelAlias(table, "balanced"), "balanced");
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
