/**
 * Quotes an argument for display as a POSIX shell word (used by `--dry-run`).
 * @module
 */

/** Returns `arg` unchanged when it is safe, else single-quoted. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'"'"'`)}'`;
}
