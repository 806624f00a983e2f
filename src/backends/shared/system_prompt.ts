/**
 * The system prompt of a backend without a flag for one: a clearly marked preamble of the
 * prompt, the same for every such backend.
 * @module
 */

/**
 * `prompt` preceded by `systemPrompt` between markers that tell the model these are standing
 * instructions, not the user's request; `prompt` itself when there is no system prompt.
 *
 * @example
 * ```ts
 * withSystemPreamble("Fix the bug", "Answer in French");
 * // "[System instructions]\nAnswer in French\n[End of system instructions]\n\nFix the bug"
 * ```
 */
export function withSystemPreamble(prompt: string, systemPrompt: string | undefined): string {
  const instructions = systemPrompt?.trim();
  if (!instructions) return prompt;
  return `[System instructions]\n${instructions}\n[End of system instructions]\n\n${prompt}`;
}
