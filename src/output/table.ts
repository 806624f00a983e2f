/**
 * Plain aligned tables with terminal-width-aware cells (CJK and emoji count double).
 * @module
 */
import stringWidth from "string-width";
import { escapeControl } from "./safe_text.ts";

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

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - columns(text)));
}

/**
 * Renders rows under a header; every column but the last is padded to its widest cell. The
 * last column is cut so that lines fit `maxWidth` when given. Control characters in cells are
 * shown escaped: cells come from files anyone could have edited.
 */
export function renderTable(header: string[], rows: string[][], maxWidth?: number): string {
  const all = [header, ...rows].map((row) => row.map(escapeControl));
  const widths = header.map((_, column) =>
    all.reduce((widest, row) => Math.max(widest, columns(row[column] ?? "")), 0)
  );
  const lines = all.map((row) => {
    const cells = row.map((cell, column) =>
      column === row.length - 1 ? cell : pad(cell, widths[column]!)
    );
    const line = cells.join("   ").trimEnd();
    return maxWidth ? truncateToWidth(line, maxWidth) : line;
  });
  return lines.join("\n") + "\n";
}
