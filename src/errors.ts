/**
 * Expected failures and the exit codes they map to. Anything deep in clinvk throws a
 * {@linkcode ClinvkError}; only `main.ts` turns it into a line on stderr and an exit code.
 * @module
 */
import { oneLine } from "./output/safe_text.ts";

/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  Ok: 0,
  BackendFailed: 1,
  Usage: 2,
  BackendNotFound: 3,
  SessionNotFound: 4,
  Busy: 5,
  /** A budget ran out: a run's `--max-tokens`, or a daily `session.budget.*` before a turn. */
  BudgetExceeded: 6,
  /** The NATS server of `--dispatch` or `clinvk worker` cannot be reached or refused us. */
  DispatchUnavailable: 7,
  Timeout: 124,
  Interrupted: 130,
} as const;

/** One of the values of {@linkcode ExitCode}, or a backend's own non-zero exit code. */
export type ExitCodeValue = number;

/**
 * A failure the user can cause or fix. `message` is one sentence saying what failed and why;
 * `hint` says what to do. Never carries a stack trace to the user.
 *
 * @example
 * ```ts
 * throw new ClinvkError("Unknown backend \"nope\"", ExitCode.Usage, "Use one of: claude, codex, gemini.");
 * ```
 */
export class ClinvkError extends Error {
  /** Process exit code for this failure. */
  readonly exitCode: number;
  /** What the user can do about it; printed after the message. */
  readonly hint: string | undefined;
  /** Lines printed under the message (e.g. the sessions an ambiguous prefix matches). */
  readonly details: readonly string[];

  /**
   * A failure with its exit code and, optionally, what the user can do about it and lines to
   * list under it.
   */
  constructor(message: string, exitCode: number, hint?: string, details: readonly string[] = []) {
    super(message);
    this.name = "ClinvkError";
    this.exitCode = exitCode;
    this.hint = hint;
    this.details = details;
  }
}

/**
 * A command that has already said everything (its output shows what failed) and only needs to
 * end with `exitCode`: nothing more is printed.
 */
export class ExitSilently extends ClinvkError {
  /** Ends the command with `exitCode`. */
  constructor(exitCode: number) {
    super("", exitCode);
    this.name = "ExitSilently";
  }
}

/** A usage or configuration error (exit 2). */
export function usageError(message: string, hint?: string): ClinvkError {
  return new ClinvkError(message, ExitCode.Usage, hint);
}

/** What to do when the disk refuses a write, by errno code: the machine's state, not a bug. */
const DISK_HINTS: Readonly<Record<string, string>> = {
  ENOSPC: "Free some disk space, then run the command again.",
  EDQUOT: "Free some space within your disk quota, then run the command again.",
  EROFS: "The file system is read-only; point CLINVK_HOME at a writable directory.",
};

/**
 * The hint for a write the disk refused (full, over quota, read-only), from the errno `code`
 * Deno puts on the error; `undefined` for any other error.
 */
export function diskErrorHint(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && Object.hasOwn(DISK_HINTS, code) ? DISK_HINTS[code] : undefined;
}

/**
 * The line clinvk prints on stderr for a failure: `clinvk: ` and `text` made safe — control
 * characters escaped, one line, long values cut ({@linkcode oneLine}). Every error line goes
 * through here, so a value echoed from input or from a file cannot steer the terminal.
 */
export function errorLine(text: string): string {
  return `clinvk: ${oneLine(text)}`;
}

/**
 * Formats an error as the line clinvk prints on stderr, followed by its detail lines (each
 * made safe the same way), without a final newline.
 */
export function formatError(error: ClinvkError): string {
  const line = errorLine(
    `${sentence(error.message)}${error.hint ? " " + sentence(error.hint) : ""}`,
  );
  return [line, ...error.details.map((detail) => `  ${oneLine(detail)}`)].join("\n");
}

/**
 * Ends `text` with a full stop unless it already ends with punctuation. A closing parenthesis
 * is not one: "too long (200000 bytes)" still needs its full stop before the hint follows.
 */
function sentence(text: string): string {
  return /[.!?…:]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
