/**
 * Checks shared by the argv builders: config values must be one of the CLI's real choices
 * (read from each CLI's `--help`, samples/help/), and nothing clinvk passes may be mistaken
 * for a flag.
 * @module
 */
import { usageError } from "../../errors.ts";

/**
 * Returns `value` when it is one of `choices`; otherwise throws a usage error (exit 2) that
 * names the setting and lists the valid values.
 *
 * @example
 * ```ts
 * requireChoice("plan", ["default", "plan"], "Claude permission mode (backends.claude.approval_mode)");
 * ```
 */
export function requireChoice<T extends string>(
  value: string,
  choices: readonly T[],
  what: string,
): T {
  const found = choices.find((choice) => choice === value);
  if (found === undefined) {
    throw usageError(`Invalid ${what} "${value}"`, `Use one of: ${choices.join(", ")}.`);
  }
  return found;
}

/**
 * Returns a backend session id that is safe to pass as a flag value. Ids come from the
 * backends (UUIDs), but a session file can be hand-edited; one starting with `-` would be
 * parsed as a flag.
 */
export function requireSessionId(id: string): string {
  if (id.trim() === "" || id.startsWith("-") || /\s/.test(id)) {
    throw usageError(
      `Invalid backend session id "${id}"`,
      "Check backend_session_id in the session file.",
    );
  }
  return id;
}

/** Whether a prompt would be read as an option if passed as a bare argument. */
export function looksLikeFlag(prompt: string): boolean {
  return prompt.startsWith("-");
}
