/**
 * ANSI colour, only where it helps: a terminal, no `NO_COLOR`, and not switched off in config.
 * @module
 */
import type { ColorMode } from "../config/schema.ts";

/** Decides whether to colour a stream. `NO_COLOR` (any non-empty value) always wins. */
export function colorEnabled(
  mode: ColorMode,
  isTerminal: boolean,
  noColorEnv: string | undefined,
): boolean {
  if (noColorEnv !== undefined && noColorEnv !== "") return false;
  if (mode === "never") return false;
  if (mode === "always") return true;
  return isTerminal;
}

/** Colour functions; identity functions when colour is off. */
export interface Palette {
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) =>
  `\x1b[${open}m${text}\x1b[${close}m`;

/** A palette that colours when `enabled`. */
export function palette(enabled: boolean): Palette {
  if (!enabled) {
    const same = (text: string) => text;
    return { dim: same, bold: same, red: same, green: same, yellow: same, cyan: same };
  }
  return {
    dim: wrap(2, 22),
    bold: wrap(1, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}
