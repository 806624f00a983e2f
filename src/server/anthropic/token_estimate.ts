/**
 * The honest token estimate of `POST /v1/messages/count_tokens`. Anthropic does not publish the
 * tokenizer of its current models, and the backend CLIs add their own system prompt and tool
 * definitions that clinvk cannot see, so this counts only what clinvk itself would send — the
 * prompt of the turn (only the new turn for a continued session) and the system prompt — at
 * about four characters per token for ASCII text and one token per other character (CJK,
 * emoji), plus a few tokens of framing per message.
 * @module
 */

/** Tokens Anthropic spends on each message's role and framing, roughly. */
const PER_MESSAGE = 4;

/**
 * The estimate for `texts` (each a message or system prompt).
 *
 * @example
 * ```ts
 * estimateTokens(["Hello, world!"]); // 8
 * ```
 */
export function estimateTokens(texts: readonly string[]): number {
  let total = 0;
  for (const text of texts) {
    let ascii = 0;
    let other = 0;
    for (const char of text) {
      if (char.codePointAt(0)! < 0x80) ascii++;
      else other++;
    }
    total += Math.ceil(ascii / 4) + other + PER_MESSAGE;
  }
  return total;
}
