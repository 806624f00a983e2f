/**
 * Reading config.yaml, with every way that can fail turned into one clear ClinvkError.
 * @module
 */
import { readBoundedText, type Refusal, RefusedFileError } from "../platform/bounded_file.ts";
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
 * Largest config file read. A config is a few hundred bytes of YAML; the cap keeps a wrong path
 * (a log file, a disk image) from being read into memory whole.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const REFUSALS: Readonly<Record<Refusal, string>> = {
  directory: "it is a directory, not a file",
  fifo: "it is a named pipe (FIFO), not a regular file; reading it could wait for ever",
  device: "it is a device, not a regular file",
  socket: "it is a socket, not a regular file",
  "too-large": `it is larger than ${
    MAX_CONFIG_BYTES / 1024 / 1024
  } MiB, too large for a config file`,
  "not-utf8": "it is not UTF-8 text",
};

/**
 * Reads the config file as text: a regular file of at most {@linkcode MAX_CONFIG_BYTES}, or a
 * pipe that is already open (`--config <(command)`, `--config /dev/stdin`). A missing file gives `undefined` when the path is the
 * default one, and an error when the user named it with `--config` (a typo there must not
 * silently fall back to defaults).
 *
 * @throws {ClinvkError} exit 2 when the file cannot be read, is a directory, a named pipe, a
 * device, too large, or not UTF-8 text.
 */
export async function readConfigFile(
  fs: Fs,
  path: string,
  explicit: boolean,
): Promise<string | undefined> {
  try {
    return await readBoundedText(fs, path, MAX_CONFIG_BYTES);
  } catch (error) {
    if (error instanceof RefusedFileError) {
      throw usageError(
        `Cannot read config ${path}: ${REFUSALS[error.refusal]}`,
        "Point --config at a YAML file (or at a command's output: --config <(command)).",
      );
    }
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
