/**
 * Reading config.yaml, with every way that can fail turned into one clear ClinvkError.
 * @module
 */
import type { Fs } from "../platform/types.ts";
import { errorName as fsErrorName } from "../platform/fs_errors.ts";
import { type ClinvkError, diskErrorHint, usageError } from "../errors.ts";

/**
 * Turns a file-system failure on the config file into a ClinvkError (exit 2). `name`
 * overrides the error's own name when the caller knows better (see {@linkcode readConfigFile}).
 */
export function configFsError(
  action: "read" | "write",
  path: string,
  error: unknown,
  name: string | undefined = fsErrorName(error),
): ClinvkError {
  const verb = action === "read" ? "Cannot read" : "Cannot write";
  const flag = action === "read" ? "--allow-read" : "--allow-write";
  switch (name) {
    case "NotCapable":
      return usageError(
        `${verb} config ${path}: Deno permission missing`,
        `Run with ${flag} (see README, Permissions).`,
      );
    case "PermissionDenied":
      return usageError(
        `${verb} config ${path}: permission denied`,
        "Check the file's (and its directory's) owner and mode.",
      );
    case "IsADirectory":
      return usageError(
        `${verb} config ${path}: it is a directory, not a file`,
        "Point --config at a YAML file.",
      );
    case "NotADirectory":
      return usageError(`${verb} config ${path}: a parent of it is not a directory`);
    default: {
      const reason = error instanceof Error ? error.message : String(error);
      return usageError(`${verb} config ${path}: ${reason}`, diskErrorHint(error));
    }
  }
}

/**
 * Reads the config file as text. A missing file gives `undefined` when the path is the
 * default one, and an error when the user named it with `--config` (a typo there must not
 * silently fall back to defaults).
 *
 * @throws {ClinvkError} exit 2 when the file cannot be read or is a directory.
 */
export async function readConfigFile(
  fs: Fs,
  path: string,
  explicit: boolean,
): Promise<string | undefined> {
  try {
    return await fs.readTextFile(path);
  } catch (error) {
    if (fsErrorName(error) === "NotFound") {
      if (!explicit) return undefined;
      throw usageError(
        `Cannot read config ${path}: no such file`,
        "Check the path given to --config.",
      );
    }
    // Some platforms report reading a directory as a generic error; ask stat to be sure.
    const directory = fsErrorName(error) === "IsADirectory" || await isDirectory(fs, path);
    throw configFsError("read", path, error, directory ? "IsADirectory" : undefined);
  }
}

async function isDirectory(fs: Fs, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
