/**
 * What every run command needs: the config, the session and run stores, the engine's
 * dependencies, and the run file read from `-f FILE` or stdin.
 * @module
 */
import { backendNames } from "../../backends/registry.ts";
import type { Config } from "../../config/schema.ts";
import { usageError } from "../../errors.ts";
import { errorName } from "../../platform/fs_errors.ts";
import { createRunStore, type RunStore } from "../../runs/run_store.ts";
import type { RunDeps } from "../../runs/run_engine.ts";
import { type AppContext, warn } from "../context.ts";
import { homeDir, loadAppConfig, openStore } from "../services.ts";

/** Backend names a run file may use. */
export function knownBackends(): readonly string[] {
  return backendNames;
}

/** Opens the run store under `$CLINVK_HOME/runs`. */
export function openRunStore(context: AppContext, config: Config): RunStore {
  const { platform } = context;
  return createRunStore({
    home: homeDir(context),
    fs: platform.fs,
    clock: platform.clock,
    pid: platform.pid,
    sleep: platform.sleep,
    warn: (message) => warn(context, message),
    lockTimeoutMs: config.session.lock_timeout_seconds * 1000,
  });
}

/** Loads the config and builds the engine's dependencies. */
export async function runDeps(context: AppContext, configFlag?: string): Promise<RunDeps> {
  const { config } = await loadAppConfig(context, configFlag);
  return {
    platform: context.platform,
    config,
    store: openStore(context, config),
    runs: openRunStore(context, config),
    home: homeDir(context),
    warn: (message) => warn(context, message),
  };
}

/** A run file's text and the name to use in messages. */
export interface RunFileText {
  text: string;
  /** As given with `-f`, or `-` for stdin. */
  name: string;
}

/**
 * Reads the run file: `-f FILE`, `-f -` or no `-f` with stdin piped.
 *
 * @throws {ClinvkError} exit 2 when there is none or it cannot be read.
 */
export async function readRunFile(
  context: AppContext,
  file: string | undefined,
): Promise<RunFileText> {
  const { platform } = context;
  if (file === undefined || file === "-") {
    if (platform.stdin.isTerminal()) {
      throw usageError(
        "No run file given",
        "Pass one with -f FILE (YAML or JSON), or pipe it on stdin.",
      );
    }
    return { text: await platform.stdin.readAll(), name: "-" };
  }
  try {
    return { text: await platform.fs.readTextFile(file), name: file };
  } catch (error) {
    const why = errorName(error) === "NotFound"
      ? "no such file"
      : errorName(error) === "IsADirectory"
      ? "it is a directory"
      : errorName(error) === "NotCapable"
      ? "Deno permission missing (add --allow-read)"
      : error instanceof Error
      ? error.message
      : String(error);
    throw usageError(`Cannot read run file ${file}: ${why}`, "Check the path given to -f.");
  }
}
