/**
 * What every run command needs: the config, the session and run stores, the engine's
 * dependencies, and the run file read from `-f FILE` or stdin.
 * @module
 */
import { listBackends } from "../../backends/registry.ts";
import type { Config } from "../../config/schema.ts";
import { ClinvkError, usageError } from "../../errors.ts";
import { lazyImport } from "../../lazy_import.ts";
import { errorName } from "../../platform/fs_errors.ts";
import type { Fs } from "../../platform/types.ts";
import type { Dispatcher, DispatchRef } from "../../runs/dispatcher.ts";
import { createRunStore, type RunStore } from "../../runs/run_store.ts";
import type { RunDeps, RunHandle } from "../../runs/run_engine.ts";
import type { RunSpec } from "../../runs/run_spec.ts";
import { type AppContext, warn } from "../context.ts";
import { homeDir, loadAppConfig, openStore } from "../services.ts";
import type { DispatchFlags } from "./run_flags.ts";

/** Backend names a run file may use: every configured backend. */
export function knownBackends(config: Config): string[] {
  return listBackends(config).map((backend) => backend.name);
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

/** Environment variable naming where runs send their tasks (like `dispatch.url`). */
export const DISPATCH_ENV = "CLINVK_DISPATCH";

/**
 * The dispatcher `flags` (then `recorded`, the one a resumed run used, then `CLINVK_DISPATCH`,
 * then `dispatch.url`) ask for, connected; `undefined` for this process (`local`, or nothing
 * set). The NATS client is loaded only here.
 *
 * @throws {ClinvkError} exit 2 for a bad address, exit 7 when the server cannot be reached.
 */
export async function openDispatcher(
  context: AppContext,
  config: Config,
  flags: DispatchFlags,
  recorded?: DispatchRef | null,
): Promise<Dispatcher | undefined> {
  const { platform } = context;
  const fromRecord = recorded === undefined ? undefined : recorded?.url ?? "local";
  const url = flags.dispatch ?? fromRecord ?? platform.env.get(DISPATCH_ENV) ??
    config.dispatch?.url;
  if (!url || url === "local") {
    if (flags.pool) {
      throw usageError("Cannot use --pool without --dispatch", "Add --dispatch nats://host:4222.");
    }
    return undefined;
  }
  const { natsDispatcher } = await lazyImport<
    typeof import("../../dispatch/nats/nats_dispatcher.ts")
  >("src/dispatch/nats/nats_dispatcher.ts");
  return await natsDispatcher({
    url,
    pool: flags.pool ?? (flags.dispatch ? undefined : recorded?.pool) ?? config.dispatch?.pool,
    config,
    env: platform.env,
    fs: platform.fs,
    now: () => platform.clock.now(),
    sleep: platform.sleep,
    warn: (message) => warn(context, message),
  });
}

/**
 * Refuses what workers cannot do, before anything is queued: a task in its own git worktree
 * would get it in this machine's `CLINVK_HOME`, out of the worker's reach.
 */
export function checkDispatchable(spec: RunSpec, worktreeFlag: boolean | undefined): void {
  const task = spec.tasks.find((t) => t.worktree);
  if (worktreeFlag || task) {
    throw usageError(
      `${
        task ? `Task "${task.id}" runs` : "--worktree runs tasks"
      } in a git worktree, which --dispatch cannot do yet (the worktree would be made on this machine)`,
      "Drop worktree (and --check, which needs one) or run without --dispatch.",
    );
  }
}

/**
 * Starts (or resumes) a run with `dispatcher`, closing it when the run cannot start; once it
 * runs, the engine closes it at the end.
 */
export async function startWith(
  deps: RunDeps,
  dispatcher: Dispatcher | undefined,
  start: (deps: RunDeps) => Promise<RunHandle>,
): Promise<RunHandle> {
  try {
    return await start(dispatcher ? { ...deps, dispatcher } : deps);
  } catch (error) {
    await dispatcher?.close().catch(() => {});
    throw error;
  }
}

/** Largest run file clinvk reads (a 1,000-task file is well under 1 MB). */
export const MAX_RUN_FILE_BYTES = 16 * 1024 * 1024;

function tooLarge(name: string): ClinvkError {
  return usageError(
    `Run file ${name} is too large (over ${MAX_RUN_FILE_BYTES / 1024 / 1024} MiB)`,
    "Split the run into several files.",
  );
}

function decodeRunFile(bytes: Uint8Array, name: string): string {
  if (bytes.length > MAX_RUN_FILE_BYTES) throw tooLarge(name);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw usageError(`Run file ${name} is not UTF-8 text`, "Give a YAML or JSON file.");
  }
}

async function readUpTo(fs: Fs, path: string, limit: number): Promise<Uint8Array> {
  const file = await fs.open(path, { read: true });
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const buffer = new Uint8Array(64 * 1024);
    while (total < limit) {
      const n = await file.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
      total += n;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return bytes;
  } finally {
    file.close();
  }
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
    const bytes = await platform.stdin.readUpTo(MAX_RUN_FILE_BYTES + 1);
    return { text: decodeRunFile(bytes, "on stdin"), name: "-" };
  }
  let bytes: Uint8Array;
  try {
    if ((await platform.fs.stat(file)).isDirectory) {
      throw usageError(`Cannot read run file ${file}: it is a directory`, "Give -f a file.");
    }
    // Read at most the limit (plus one byte to notice more): `-f <(generate-tasks)` is a pipe.
    bytes = await readUpTo(platform.fs, file, MAX_RUN_FILE_BYTES + 1);
  } catch (error) {
    if (error instanceof ClinvkError) throw error;
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
  return { text: decodeRunFile(bytes, file), name: file };
}
