/**
 * Finds JSON objects embedded in noisy text. Gemini prints its one-shot error object at the
 * end of stderr, after warnings and a JavaScript stack trace, so the object has to be cut out
 * rather than parsed from the whole text.
 * @module
 */
import { asObject, type JsonObject } from "./json_value.ts";

/**
 * Every JSON object in `text` that starts at the beginning of a line (possibly indented),
 * in order of appearance. Objects nested inside a found object are not reported separately;
 * text that only looks like an object (a JS `{ status: 400 }` dump) is skipped.
 *
 * @example
 * ```ts
 * extractJsonObjects('Warning: x\n{\n  "a": 1\n}\n'); // [{ a: 1 }]
 * ```
 */
export function extractJsonObjects(text: string): JsonObject[] {
  const found: JsonObject[] = [];
  let index = 0;
  while (index < text.length) {
    const start = nextLineStartBrace(text, index);
    if (start < 0) break;
    const end = matchingBrace(text, start);
    const parsed = end < 0 ? undefined : tryParseObject(text.slice(start, end + 1));
    if (parsed) {
      found.push(parsed);
      index = end + 1;
    } else {
      index = start + 1;
    }
  }
  return found;
}

/** Position of the next `{` that is the first non-blank character of its line. */
function nextLineStartBrace(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] !== "{") continue;
    let j = i - 1;
    while (j >= 0 && (text[j] === " " || text[j] === "\t")) j--;
    if (j < 0 || text[j] === "\n" || text[j] === "\r") return i;
  }
  return -1;
}

/** Position of the `}` closing the object opened at `start`, honouring JSON strings. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === "{") {
      depth++;
    } else if (c === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function tryParseObject(candidate: string): JsonObject | undefined {
  try {
    return asObject(JSON.parse(candidate));
  } catch {
    return undefined;
  }
}
