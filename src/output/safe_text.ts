/**
 * Making untrusted text safe to show on a terminal. Values clinvk echoes — a flag value, a
 * tag, an id, the first bytes of a bad file, a session's prompt — can hold escape sequences
 * that clear the screen or retitle the terminal of whoever reads them, newlines that forge
 * extra lines, or thousands of characters. Every line clinvk prints about such values goes
 * through here: error and warning lines ({@linkcode oneLine}) and the human-readable views
 * ({@linkcode escapeControl}).
 * @module
 */

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the invisible
 * direction and width controls that can make text display as something it is not.
 */
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

const NAMED: Readonly<Record<string, string>> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\x1b": "\\e",
};

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/**
 * Replaces every control character in `text` with a visible escape (`\e`, `\n`, `\x07`,
 * `\u{202e}`), so the text shows as what it is and cannot steer the terminal.
 *
 * @example
 * ```ts
 * escapeControl("x\x1b]0;pwned\x07"); // "x\\e]0;pwned\\x07"
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** {@linkcode UNSAFE} without the global flag, whose `test` keeps state between calls. */
const UNSAFE_ANY = new RegExp(UNSAFE.source, "u");

/** Whether {@linkcode escapeControl} would change `text`. */
export function hasControl(text: string): boolean {
  return UNSAFE_ANY.test(text);
}

/**
 * Longest run of characters without a space or quote kept whole in a message (a long path
 * fits); a longer one is a value nobody reads whole.
 */
const MAX_WORD = 300;
/** Longest message line. */
const MAX_LINE = 2000;

function shorten(text: string, max: number, keep: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, keep).join("")}… (${chars.length} characters)`;
}

/**
 * `text` as one safe line for stderr: control characters escaped (a newline shows as `\n`),
 * any single word longer than 300 characters (a 5,000-character id) cut to its start with its
 * length, and the whole line kept under about 2,000 characters.
 *
 * @example
 * ```ts
 * oneLine(`Invalid tag "a\nb"`); // 'Invalid tag "a\\nb"'
 * ```
 */
export function oneLine(text: string): string {
  const words = escapeControl(text).replace(
    /[^\s"']{301,}/gu,
    (word) => shorten(word, MAX_WORD, 80),
  );
  return shorten(words, MAX_LINE, MAX_LINE - 40);
}
