/**
 * The one-line title of a session shown in tables, ambiguity messages and the picker.
 * @module
 */
import type { SessionRecord } from "./record.ts";

/** Longest title/prompt snippet shown. */
export const SNIPPET_LENGTH = 80;

/** Title (else prompt), whitespace collapsed, at most {@linkcode SNIPPET_LENGTH} characters. */
export function snippetOf(record: Pick<SessionRecord, "title" | "prompt">): string {
  const text = (record.title || record.prompt).replace(/\s+/g, " ").trim();
  const chars = Array.from(text);
  return chars.length <= SNIPPET_LENGTH ? text : chars.slice(0, SNIPPET_LENGTH - 1).join("") + "…";
}
