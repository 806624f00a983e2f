/**
 * Reading token usage and the model name from Claude Code's `result` message (the same
 * object in one-shot JSON and as the last stream-json line).
 * @module
 */
import { asCount, asObject } from "../shared/json_value.ts";
import type { TokenUsage } from "../types.ts";
import { makeUsage } from "../shared/usage.ts";

/**
 * clinvk's usage from Claude's `usage` object. Claude reports uncached input, cache writes
 * and cache reads separately; clinvk's `input` includes all three and `cached` is the reads.
 * The counts cover this call only.
 */
export function claudeUsage(usage: unknown): TokenUsage | undefined {
  const u = asObject(usage);
  if (u === undefined) return undefined;
  const cacheRead = asCount(u.cache_read_input_tokens);
  return makeUsage({
    input: asCount(u.input_tokens) + asCount(u.cache_creation_input_tokens) + cacheRead,
    output: asCount(u.output_tokens),
    cached: cacheRead,
  });
}

/**
 * A model name without Claude Code's context-window suffix (`claude-opus-4-8[1m]` →
 * `claude-opus-4-8`), so the same model is recorded the same way whatever window it ran with.
 */
export function claudeModelName(name: string): string {
  return name.replace(/\[[^\]]*\]$/, "").trim();
}

/**
 * The model of a `modelUsage` map (one key per model used). When several models ran (Claude
 * Code may call a small model for side tasks), the one that handled the most tokens is the
 * one that answered.
 */
export function modelFromModelUsage(modelUsage: unknown): string | undefined {
  const models = asObject(modelUsage);
  if (models === undefined) return undefined;
  let best: { name: string; tokens: number } | undefined;
  for (const [name, value] of Object.entries(models)) {
    const m = asObject(value);
    const tokens = asCount(m?.inputTokens) + asCount(m?.outputTokens) +
      asCount(m?.cacheReadInputTokens) + asCount(m?.cacheCreationInputTokens);
    if (best === undefined || tokens > best.tokens) best = { name, tokens };
  }
  return best === undefined ? undefined : claudeModelName(best.name);
}
