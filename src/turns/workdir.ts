/**
 * The directory a backend runs in: `-w DIR` or the current directory, as an absolute real path
 * (Claude and Gemini tie sessions to it, so resume must find the very same path).
 * @module
 */
import { resolve } from "node:path";
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import type { Fs } from "../platform/types.ts";

/** Resolves `-w` (relative to `cwd`) or `cwd` to a real directory path. */
export async function resolveWorkdir(fs: Fs, cwd: string, flag?: string): Promise<string> {
  const path = resolve(cwd, flag ?? ".");
  let real: string;
  try {
    real = await fs.realPath(path);
  } catch (error) {
    throw usageError(
      `Working directory ${path} does not exist or cannot be read (${errorText(error)})`,
      "Pass an existing directory with -w.",
    );
  }
  const info = await fs.stat(real);
  if (!info.isDirectory) {
    throw usageError(`Working directory ${path} is not a directory`, "Pass a directory with -w.");
  }
  return real;
}

/** Checks that a session's recorded directory still exists before resuming there. */
export async function checkSessionWorkdir(fs: Fs, workdir: string, id: string): Promise<void> {
  try {
    if ((await fs.stat(workdir)).isDirectory) return;
  } catch {
    // Reported below.
  }
  throw new ClinvkError(
    `Session ${id} cannot be resumed: its working directory ${workdir} no longer exists`,
    ExitCode.SessionNotFound,
    "Restore the directory, or start a new session.",
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
