import assert from "node:assert/strict";
import {
  addUsage,
  emptyUsage,
  makeUsage,
  subtractUsage,
  usageForTurn,
} from "../../src/backends/shared/usage.ts";

Deno.test("emptyUsage() is all zeros and a fresh object each call", () => {
  const a = emptyUsage();
  assert.deepEqual(a, { input: 0, output: 0, cached: 0, total: 0 });
  a.input = 5;
  assert.equal(emptyUsage().input, 0);
});

Deno.test("makeUsage() computes total = input + output and caps cached at input", () => {
  assert.deepEqual(makeUsage({ input: 100, output: 7, cached: 40 }), {
    input: 100,
    output: 7,
    cached: 40,
    total: 107,
  });
  assert.deepEqual(makeUsage({ input: 10, output: 1, cached: 50 }).cached, 10);
  assert.deepEqual(makeUsage({ input: -3, output: Number.NaN, cached: 0 }), emptyUsage());
});

Deno.test("addUsage() sums every field", () => {
  assert.deepEqual(
    addUsage(
      makeUsage({ input: 10, output: 2, cached: 4 }),
      makeUsage({ input: 5, output: 1, cached: 5 }),
    ),
    { input: 15, output: 3, cached: 9, total: 18 },
  );
});

Deno.test("subtractUsage() clamps each field at 0 when the counter went backwards", () => {
  assert.deepEqual(
    subtractUsage(
      makeUsage({ input: 100, output: 5, cached: 10 }),
      makeUsage({ input: 120, output: 2, cached: 30 }),
    ),
    { input: 0, output: 3, cached: 0, total: 3 },
  );
});

Deno.test("usageForTurn() subtracts only cumulative reports with a previous figure", () => {
  const reported = makeUsage({ input: 18415, output: 14, cached: 2235 });
  const previous = makeUsage({ input: 9168, output: 7, cached: 0 });
  assert.deepEqual(usageForTurn(reported, false, previous), reported);
  assert.deepEqual(usageForTurn(reported, true, undefined), reported);
  assert.deepEqual(usageForTurn(reported, true, previous), {
    input: 9247,
    output: 7,
    cached: 2235,
    total: 9254,
  });
});
