import assert from "node:assert/strict";
import { costAt, findOverride, PRICE_TABLE_VERSION, priceTurn } from "../../src/usage/pricing.ts";

const usage = { input: 1_000_000, output: 100_000, cached: 400_000, total: 1_100_000 };
const at = new Date("2026-01-01T00:00:00Z");

Deno.test("the pinned price table version is the one deno.json imports", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(
    denoJson.imports["@pydantic/genai-prices"],
    `npm:@pydantic/genai-prices@${PRICE_TABLE_VERSION}`,
  );
});

Deno.test("priceTurn() prices a known model from the bundled table, cached input at its own price", async () => {
  const small = { input: 100_000, output: 10_000, cached: 40_000, total: 110_000 };
  const priced = await priceTurn("claude", "claude-sonnet-4-5", small, {}, at);
  // Sonnet 4.5 in genai-prices 0.1.8: $3 in, $0.30 cache read, $15 out per million tokens.
  assert.equal(priced.price_source, `genai-prices ${PRICE_TABLE_VERSION}`);
  assert.ok(Math.abs(priced.cost_usd! - (0.06 * 3 + 0.04 * 0.3 + 0.01 * 15)) < 1e-9);
  // Past 200k input tokens the table's long-context prices apply ($6, $0.60, $22.50).
  const large = await priceTurn("claude", "claude-sonnet-4-5", usage, {}, at);
  assert.ok(Math.abs(large.cost_usd! - (0.6 * 6 + 0.4 * 0.6 + 0.1 * 22.5)) < 1e-9);
});

Deno.test("priceTurn() says unknown (null), never a guess, for a model the table lacks", async () => {
  assert.deepEqual(await priceTurn("codex", "no-such-model-7", usage, {}, at), {
    cost_usd: null,
    price_source: null,
  });
  assert.deepEqual(await priceTurn("codex", null, usage, {}, at), {
    cost_usd: null,
    price_source: null,
  });
});

Deno.test("pricing.overrides win: an exact name, else the longest prefix* pattern", async () => {
  const overrides = {
    "gpt-*": { input_per_mtok: 1, output_per_mtok: 2 },
    "gpt-5*": { input_per_mtok: 10, output_per_mtok: 20, cached_input_per_mtok: 1 },
    "claude-sonnet-4-5": { input_per_mtok: 0, output_per_mtok: 0 },
  };
  assert.equal(findOverride(overrides, "gpt-5.5"), overrides["gpt-5*"]);
  assert.equal(findOverride(overrides, "gpt-4o"), overrides["gpt-*"]);
  assert.equal(findOverride(overrides, "o3"), undefined);
  const priced = await priceTurn("codex", "gpt-5.5", usage, overrides, at);
  assert.equal(priced.price_source, "pricing.overrides");
  assert.equal(priced.cost_usd, costAt(overrides["gpt-5*"], usage));
  assert.ok(Math.abs(priced.cost_usd! - (0.6 * 10 + 0.4 * 1 + 0.1 * 20)) < 1e-9);
  assert.equal((await priceTurn("claude", "claude-sonnet-4-5", usage, overrides, at)).cost_usd, 0);
});
