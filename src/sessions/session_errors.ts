/**
 * The store's user-facing failures: not found, ambiguous prefix (exit 4), busy (exit 5).
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import type { SessionRecord } from "./record.ts";
import { snippetOf } from "./snippet.ts";

/** How many candidates an ambiguity message lists. */
export const MAX_CANDIDATES = 10;

const LIST_HINT = "Run `clinvk sessions list` to see session ids.";

/** `Session "xyz" not found` (exit 4). */
export function sessionNotFound(id: string, why?: string): ClinvkError {
  const reason = why ? `: ${why}` : "";
  return new ClinvkError(`Session "${id}" not found${reason}`, ExitCode.SessionNotFound, LIST_HINT);
}

/** A prefix matching several sessions (exit 4); the message lists up to ten of them. */
export function ambiguousPrefix(
  prefix: string,
  candidates: readonly SessionRecord[],
  total: number,
): ClinvkError {
  const lines = candidates.slice(0, MAX_CANDIDATES).map((record) =>
    `${record.id}  ${record.backend.padEnd(6)}  ${snippetOf(record)}`
  );
  if (total > lines.length) lines.push(`… and ${total - lines.length} more`);
  return new ClinvkError(
    `Session id "${prefix}" is ambiguous; it matches ${total} sessions`,
    ExitCode.SessionNotFound,
    "Type more characters of the id.",
    lines,
  );
}

/** A session whose file exists but cannot be used (exit 4). */
export function sessionUnreadable(id: string, path: string, reason: string): ClinvkError {
  return new ClinvkError(
    `Cannot use session ${id}: ${path}: ${reason}`,
    ExitCode.SessionNotFound,
    "Run `clinvk sessions doctor` to list bad session files.",
  );
}
