/**
 * clinvk's token usage in Anthropic's shape: `input_tokens` there excludes the tokens read
 * from the cache, which clinvk counts inside `input`.
 * @module
 */
import type { TokenUsage } from "../../backends/types.ts";

/** A message's `usage`. */
export function anthropicUsage(usage: TokenUsage) {
  return {
    input_tokens: usage.input - usage.cached,
    output_tokens: usage.output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cached,
  };
}
