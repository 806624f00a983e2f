/**
 * What a turn cost, in US dollars, from a pinned price table: `@pydantic/genai-prices` (its
 * bundled data; it is never asked to fetch newer prices), or `pricing.overrides` in config.
 * The cost is computed once, when the turn runs, and stored with {@linkcode PriceSource} —
 * so the history does not change when prices do. A model neither knows gives `null`:
 * "cost unknown", never a guess.
 * @module
 */
import type { TokenUsage } from "../backends/types.ts";
import type { ModelPrices } from "../config/schema.ts";

/** The version of `@pydantic/genai-prices` pinned in `deno.json` (a test keeps them equal). */
export const PRICE_TABLE_VERSION = "0.1.8";

/** What a turn's cost came from: `genai-prices 0.1.8`, or `pricing.overrides`. */
export type PriceSource = string;

/** A priced turn. */
export interface TurnCost {
  /** `null` when the model is not in the table. */
  cost_usd: number | null;
  price_source: PriceSource | null;
}

/** The price table's provider of each built-in backend (others: found from the model name). */
const PROVIDERS: Readonly<Record<string, string>> = {
  claude: "anthropic",
  codex: "openai",
  gemini: "google",
};

/** The override for `model`: an exact name, else the longest `prefix*` pattern that matches. */
export function findOverride(
  overrides: Readonly<Record<string, ModelPrices>>,
  model: string,
): ModelPrices | undefined {
  if (Object.hasOwn(overrides, model)) return overrides[model];
  let best: [string, ModelPrices] | undefined;
  for (const [pattern, prices] of Object.entries(overrides)) {
    if (!pattern.endsWith("*") || !model.startsWith(pattern.slice(0, -1))) continue;
    if (!best || pattern.length > best[0].length) best = [pattern, prices];
  }
  return best?.[1];
}

/** Cost of `usage` at `prices`: uncached input, cached input and output, each at its price. */
export function costAt(prices: ModelPrices, usage: TokenUsage): number {
  const cachedPrice = prices.cached_input_per_mtok ?? prices.input_per_mtok;
  const uncached = usage.input - usage.cached;
  return (uncached * prices.input_per_mtok + usage.cached * cachedPrice +
    usage.output * prices.output_per_mtok) / 1_000_000;
}

type GenaiPrices = typeof import("@pydantic/genai-prices");
let table: Promise<GenaiPrices> | undefined;

/**
 * Loaded on first use: most commands never price anything (it is 800 KB of JavaScript, about
 * 150 ms to load). A turn starts loading it while its backend works (`warmPriceTable`).
 */
function priceTable(): Promise<GenaiPrices> {
  return table ??= import("@pydantic/genai-prices");
}

/** Starts loading the price table now, so that a later {@linkcode priceTurn} need not wait. */
export function warmPriceTable(): void {
  // A failure to load is reported by the priceTurn that needs the table.
  priceTable().catch(() => {});
}

/**
 * Prices one turn of `backend` on `model` at time `at` (prices that changed on a date apply
 * from that date).
 *
 * @example
 * ```ts
 * const cost = await priceTurn("claude", "claude-sonnet-4-5",
 *   { input: 1000, output: 100, cached: 400, total: 1100 }, {}, new Date());
 * // { cost_usd: 0.00342, price_source: "genai-prices 0.1.8" }
 * ```
 */
export async function priceTurn(
  backend: string,
  model: string | null,
  usage: TokenUsage,
  overrides: Readonly<Record<string, ModelPrices>>,
  at: Date,
): Promise<TurnCost> {
  if (!model) return { cost_usd: null, price_source: null };
  const override = findOverride(overrides, model);
  if (override) return { cost_usd: costAt(override, usage), price_source: "pricing.overrides" };
  if (usage.total === 0) {
    return { cost_usd: 0, price_source: `genai-prices ${PRICE_TABLE_VERSION}` };
  }
  const { calcPrice } = await priceTable();
  const providerId = PROVIDERS[backend];
  const found = calcPrice(
    { input_tokens: usage.input, cache_read_tokens: usage.cached, output_tokens: usage.output },
    model,
    { ...(providerId ? { providerId } : {}), timestamp: at },
  );
  if (!found) return { cost_usd: null, price_source: null };
  return { cost_usd: found.total_price, price_source: `genai-prices ${PRICE_TABLE_VERSION}` };
}
