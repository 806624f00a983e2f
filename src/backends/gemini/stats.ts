/**
 * Token usage and model from the `stats` of Gemini's stream-json `result`, which lists every
 * model that ran, including a small router model.
 * @module
 */
import { asCount, asObject, type JsonObject } from "../shared/json_value.ts";
import type { TokenUsage } from "../types.ts";
import { makeUsage } from "../shared/usage.ts";

/**
 * Usage and model from a stream-json `result` event's `stats`: per model `input_tokens`
 * (includes `cached`) and `output_tokens`, summed over all models. Stream stats carry no
 * roles, so when the `init` event said `auto` the model is the one with the most input
 * tokens: the main model receives the whole conversation, the router only a short
 * classification prompt (samples/gemini/new-stream-json.stdout: 10125 vs 781).
 */
export function geminiStreamStats(stats: unknown): { usage?: TokenUsage; model?: string } {
  const models = modelEntries(stats);
  const totals = asObject(stats);
  if (models.length === 0) {
    if (totals === undefined) return {};
    return {
      usage: makeUsage({
        input: asCount(totals.input_tokens),
        output: asCount(totals.output_tokens),
        cached: asCount(totals.cached),
      }),
    };
  }
  let input = 0, output = 0, cached = 0;
  for (const [, m] of models) {
    input += asCount(m.input_tokens);
    output += asCount(m.output_tokens);
    cached += asCount(m.cached);
  }
  return {
    usage: makeUsage({ input, output, cached }),
    model: largest(models, (m) => asCount(m.input_tokens)),
  };
}

function modelEntries(stats: unknown): [string, JsonObject][] {
  const models = asObject(asObject(stats)?.models);
  if (models === undefined) return [];
  const entries: [string, JsonObject][] = [];
  for (const [name, value] of Object.entries(models)) {
    const m = asObject(value);
    if (m !== undefined) entries.push([name, m]);
  }
  return entries;
}

function largest(
  models: [string, JsonObject][],
  size: (m: JsonObject) => number,
): string | undefined {
  let best: [string, number] | undefined;
  for (const [name, m] of models) {
    const n = size(m);
    if (best === undefined || n > best[1]) best = [name, n];
  }
  return best?.[0];
}
