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

const TOO_LONG_HINT =
  "Put the material in a file in the working directory and ask the backend to read it.";
const BINARY_HINT =
  "Pass text; to include a file's content, describe it or let the backend read the file.";

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
  else if (!stdin.isTerminal()) prompt = await readStdinText(stdin);
  if (prompt === undefined) return undefined;
  return checkPrompt(prompt);
}

/**
 * Reads a prompt piped on stdin: at most {@linkcode MAX_PROMPT_BYTES} + 1 bytes are read, so
 * `< /dev/zero` or `yes |` stop at once instead of filling memory. Surrounding whitespace counts
 * towards the limit here, since what follows the limit is never read.
 *
 * @throws {ClinvkError} exit 2 when stdin holds more than the limit, or bytes that are not
 * UTF-8 text (binary data would otherwise reach the backend as U+FFFD).
 */
export async function readStdinText(stdin: Input): Promise<string> {
  const bytes = await stdin.readUpTo(MAX_PROMPT_BYTES + 1);
  if (bytes.length > MAX_PROMPT_BYTES) {
    throw usageError(
      `The prompt on stdin is too long (more than ${MAX_PROMPT_BYTES} bytes; the limit is ${MAX_PROMPT_BYTES})`,
      TOO_LONG_HINT,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw usageError(
      "The prompt on stdin is not UTF-8 text (binary data)",
      BINARY_HINT,
    );
  }
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
      BINARY_HINT,
    );
  }
  const bytes = new TextEncoder().encode(trimmed).length;
  if (bytes > MAX_PROMPT_BYTES) {
    throw usageError(
      `The prompt is too long (${bytes} bytes; the limit is ${MAX_PROMPT_BYTES})`,
      TOO_LONG_HINT,
    );
  }
  return trimmed;
}
