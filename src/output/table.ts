/**
 * Plain aligned tables with terminal-width-aware cells (CJK and emoji count double).
 * @module
 */
import stringWidth from "string-width";
import { escapeControl, hasControl } from "./safe_text.ts";

/** Printable ASCII only: one column per character, no need to ask `string-width`. */
const PLAIN = /^[\x20-\x7e]*$/;

/** Terminal columns of `text`; most cells (ids, times, numbers) are plain ASCII. */
function columns(text: string): number {
  return PLAIN.test(text) ? text.length : stringWidth(text);
}

/** Cuts `text` to at most `width` terminal columns, ending with "…" when cut. */
export function truncateToWidth(text: string, width: number): string {
  if (columns(text) <= width) return text;
  if (width <= 1) return width === 1 ? "…" : "";
  let out = "";
  for (const char of text) {
    if (stringWidth(out + char) > width - 1) break;
    out += char;
  }
  return out + "…";
}

/**
 * Renders rows under a header; every column but the last is padded to its widest cell. The
 * last column is cut so that lines fit `maxWidth` when given. Control characters in cells are
 * shown escaped: cells come from files anyone could have edited.
 *
 * Built for long tables (`sessions clean` prints 14,000 rows at 100,000 sessions): a row
 * without control characters or non-ASCII text, which is nearly every row, is checked once as
 * a whole instead of cell by cell, and each cell is measured once.
 */
export function renderTable(header: string[], rows: string[][], maxWidth?: number): string {
  const all: string[][] = [];
  const sizes: number[][] = [];
  for (const given of [header, ...rows]) {
    const text = given.join("");
    // Printable ASCII has no control characters, and one column per character.
    const plain = PLAIN.test(text);
    const row = plain || !hasControl(text) ? given : given.map(escapeControl);
    all.push(row);
    sizes.push(plain ? row.map((cell) => cell.length) : row.map(columns));
  }
  const widths = header.map((_, column) =>
    sizes.reduce((widest, size) => Math.max(widest, size[column] ?? 0), 0)
  );
  let out = "";
  all.forEach((row, r) => {
    const last = row.length - 1;
    const line = row.map((cell, column) =>
      column === last ? cell : cell + " ".repeat(Math.max(0, widths[column]! - sizes[r]![column]!))
    ).join("   ").trimEnd();
    out += (maxWidth ? truncateToWidth(line, maxWidth) : line) + "\n";
  });
  return out;
}
