/**
 * Where the prompt comes from: the words after the command, or stdin when it is piped.
 * @module
 */
import { usageError } from "../errors.ts";
import type { Input } from "../platform/types.ts";

/**
 * Backends take the prompt as one command-line argument, and Linux refuses a single argument
 * over 128 KiB; stay well under that with a clear message instead of an E2BIG failure.
 */
export const MAX_PROMPT_BYTES = 100_000;

/**
 * Joins the prompt words, or reads stdin when there are none and stdin is not a terminal.
 * Returns `undefined` when there is no prompt at all. Stdin is never read when words are given,
 * so a CI job whose stdin stays open cannot hang clinvk.
 */
export async function readPrompt(
  words: readonly string[],
  stdin: Input,
): Promise<string | undefined> {
  let prompt: string | undefined;
  if (words.length > 0) prompt = words.join(" ");
  else if (!stdin.isTerminal()) prompt = await stdin.readAll();
  if (prompt === undefined) return undefined;
  return checkPrompt(prompt);
}

/** Rejects prompts no backend can take; returns the prompt trimmed of surrounding whitespace. */
export function checkPrompt(prompt: string): string {
  const trimmed = prompt.trim();
  if (trimmed === "") {
    throw usageError(
      "The prompt is empty",
      'Pass it as an argument (clinvk "fix the bug") or pipe it on stdin.',
    );
  }
  if (trimmed.includes("\0")) {
    throw usageError(
      "The prompt contains NUL bytes (binary data)",
      "Pass text; to include a file's content, describe it or let the backend read the file.",
    );
  }
  const bytes = new TextEncoder().encode(trimmed).length;
  if (bytes > MAX_PROMPT_BYTES) {
    throw usageError(
      `The prompt is too long (${bytes} bytes; the limit is ${MAX_PROMPT_BYTES})`,
      "Put the material in a file in the working directory and ask the backend to read it.",
    );
  }
  return trimmed;
}
