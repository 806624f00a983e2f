/**
 * Picks the real error out of a backend's stderr. The CLIs print start-up warnings, progress
 * notes and stack traces there (samples/README.md "Stderr noise"); users should see only the
 * line that says what went wrong.
 * @module
 */
import { oneLine } from "./error_text.ts";

/** Which stderr lines a backend prints that are never the error. */
export interface NoiseRules {
  /** Lines to drop wherever they appear. */
  noise: readonly RegExp[];
  /** A line after which nothing is worth showing (e.g. Rust's `Stack backtrace:`). */
  stopAt?: readonly RegExp[];
}

/** A JavaScript stack frame (`    at fn (file:1:2)`): never shown to users. */
const STACK_FRAME = /^\s+at\s/;

/** The lines of `stderr` that remain after dropping blank lines and noise. */
export function meaningfulLines(stderr: string, rules: NoiseRules): string[] {
  const kept: string[] = [];
  for (const raw of stderr.split(/\r?\n/)) {
    if (rules.stopAt?.some((re) => re.test(raw))) break;
    const line = raw.trimEnd();
    if (line.trim() === "" || STACK_FRAME.test(line)) continue;
    if (rules.noise.some((re) => re.test(line))) continue;
    kept.push(line);
  }
  return kept;
}

/**
 * The one line of `stderr` that best describes the failure: the first meaningful line that
 * announces itself as an error (`Error: …`, `ERROR …`, `fatal: …`), else the first meaningful
 * line. `undefined` when stderr holds nothing but noise.
 *
 * @example
 * ```ts
 * errorLine("Reading additional input from stdin...\nNot inside a trusted directory.\n", {
 *   noise: [/^Reading additional input from stdin/],
 * }); // "Not inside a trusted directory."
 * ```
 */
export function errorLine(stderr: string, rules: NoiseRules): string | undefined {
  const lines = meaningfulLines(stderr, rules);
  const chosen = lines.find((line) => /^\s*(error|fatal)\b/i.test(line)) ?? lines[0];
  return chosen === undefined ? undefined : oneLine(chosen);
}
