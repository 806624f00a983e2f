/**
 * Reading one environment variable, with Deno's permission refusal turned into a clear error.
 * @module
 */
import type { Env } from "../platform/types.ts";
import { usageError } from "../errors.ts";

/**
 * Returns the variable's value, or `undefined` when it is unset or empty (an empty value is
 * how shells "unset" a variable for one command, e.g. `CLINVK_BACKEND= clinvk ...`).
 *
 * Under `--allow-env=A,B` Deno throws when any other variable is read; that becomes a
 * ClinvkError (exit 2) naming the flag to add instead of a stack trace.
 */
export function readEnv(env: Env, name: string): string | undefined {
  let value: string | undefined;
  try {
    value = env.get(name);
  } catch (error) {
    if (isPermissionRefusal(error)) {
      throw usageError(
        `Cannot read environment variable ${name}: Deno permission missing`,
        "Run with --allow-env (see README, Permissions).",
      );
    }
    throw error;
  }
  return value === "" ? undefined : value;
}

function isPermissionRefusal(error: unknown): boolean {
  // Deno 2 names a missing --allow-* permission "NotCapable"; older releases "PermissionDenied".
  return error instanceof Error &&
    (error.name === "NotCapable" || error.name === "PermissionDenied");
}
