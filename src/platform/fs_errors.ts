/**
 * Recognising file-system errors by name. Deno's error classes live on `Deno.errors`, which
 * only `src/platform/` may touch at run time, so the rest of clinvk compares `error.name`
 * instead (and tests can throw plain `Error`s with the same names from a fake `Fs`).
 * @module
 */

/** True when `error` is Deno's `NotFound` (ENOENT). */
export function isNotFound(error: unknown): boolean {
  return errorName(error) === "NotFound";
}

/** True when `error` is Deno's `AlreadyExists` (EEXIST). */
export function isAlreadyExists(error: unknown): boolean {
  return errorName(error) === "AlreadyExists";
}

/** True when `error` is Deno's `IsADirectory` (EISDIR). */
export function isADirectory(error: unknown): boolean {
  return errorName(error) === "IsADirectory";
}

/** The `name` of an error object, or `""` for anything else. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

/** The message of an error object, or its string form. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
