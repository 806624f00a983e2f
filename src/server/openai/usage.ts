/**
 * clinvk's token usage in the OpenAI APIs' shapes. clinvk's `input` already includes the
 * cached tokens, as OpenAI's `prompt_tokens` / `input_tokens` do.
 * @module
 */
import type { TokenUsage } from "../../backends/types.ts";

/** Chat Completions `usage`. */
export function chatUsage(usage: TokenUsage) {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.total,
    prompt_tokens_details: { cached_tokens: usage.cached },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

/** Responses API `usage`. */
export function responsesUsage(usage: TokenUsage) {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cached },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total,
  };
}
