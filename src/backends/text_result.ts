/**
 * Plain-text output, the same for every backend: stdout is the answer.
 * @module
 */
import type { TurnResult } from "./types.ts";

/**
 * The result of a plain-text run: the answer is stdout without the one trailing newline the
 * CLIs add (other whitespace is part of the answer). Text mode reports no session id, model
 * or usage.
 *
 * @example
 * ```ts
 * parseTextOutput("ECHO turn=1: hi\n", false).content; // "ECHO turn=1: hi"
 * ```
 */
export function parseTextOutput(stdout: string, usageIsCumulative: boolean): TurnResult {
  return { content: stdout.replace(/\r?\n$/, ""), usageIsCumulative };
}
