/**
 * Where clinvk keeps its files: the home directory (`~/.clinvk`, or `CLINVK_HOME`) and the
 * config file inside it.
 * @module
 */
import { join } from "node:path";
import type { Env } from "../platform/types.ts";
import { usageError } from "../errors.ts";
import { readEnv } from "./env_read.ts";

/** File name of the user config inside the clinvk home. */
export const CONFIG_FILE_NAME = "config.yaml";

/**
 * clinvk's home directory: `CLINVK_HOME` when set, else `<home>/.clinvk` where `<home>` is
 * `homeDir` when the caller knows it, else `HOME`, else `USERPROFILE` (Windows).
 * Empty variables count as unset. A relative `CLINVK_HOME` is used as given (relative to
 * the working directory), like every other path the user passes.
 *
 * @throws {ClinvkError} exit 2 when no home directory can be determined.
 * @example
 * ```ts
 * clinvkHome({ get: (n) => n === "HOME" ? "/home/ada" : undefined }); // "/home/ada/.clinvk"
 * ```
 */
export function clinvkHome(env: Env, homeDir?: string): string {
  const explicit = readEnv(env, "CLINVK_HOME");
  if (explicit !== undefined) return explicit;
  const home = homeDir || readEnv(env, "HOME") || readEnv(env, "USERPROFILE");
  if (home === undefined) {
    throw usageError(
      "Cannot find clinvk's home directory: neither CLINVK_HOME nor HOME (USERPROFILE on Windows) is set",
      "Set CLINVK_HOME to the directory clinvk should use.",
    );
  }
  return join(home, ".clinvk");
}

/**
 * The config file to read: `flagPath` (from `--config PATH`) when given, else
 * `<home>/config.yaml`. The file was chosen explicitly exactly when `flagPath` is defined;
 * pass that to `loadConfig({ explicit })`.
 */
export function configPath(home: string, flagPath?: string): string {
  return flagPath ?? join(home, CONFIG_FILE_NAME);
}
