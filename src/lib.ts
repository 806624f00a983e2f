/**
 * clinvk as a library: run a prompt on Claude Code, Codex CLI or Gemini CLI and keep it as a
 * session, and read the sessions clinvk keeps — through the same code the `clinvk` command
 * runs, so a session started here can be resumed with `clinvk resume` and the other way round.
 *
 * Defaults come from the same places as the command's: `CLINVK_HOME` (else `~/.clinvk`), its
 * `config.yaml`, and the `CLINVK_*` environment variables. Needs the same Deno permissions as
 * the command: `--allow-read --allow-write --allow-env --allow-run`.
 *
 * @example
 * ```ts
 * import { listSessions, runPrompt } from "jsr:@clinvk/cli/lib";
 *
 * const result = await runPrompt({ prompt: "Explain this repository", backend: "claude" });
 * console.log(result.content);
 * const [latest] = await listSessions({ limit: 1 });
 * ```
 * @module
 */
import {
  BACKEND_NAMES,
  type BackendName,
  type TokenUsage,
  type UnifiedEvent,
} from "./backends/types.ts";
import { checkPrompt } from "./cli/prompt_input.ts";
import { loadConfig } from "./config/load.ts";
import { clinvkHome, configPath } from "./config/paths.ts";
import { resolveSettings } from "./config/resolve.ts";
import type { Config } from "./config/schema.ts";
import { ClinvkError, ExitCode, usageError } from "./errors.ts";
import { denoPlatform } from "./platform/deno_platform.ts";
import type { Platform } from "./platform/types.ts";
import { createFileStore } from "./sessions/file_store.ts";
import {
  SESSION_STATUSES,
  type SessionRecord,
  type SessionStatus,
  type TurnMetadata,
} from "./sessions/record.ts";
import type { SessionFilter, SessionStore } from "./sessions/store_types.ts";
import { runTurn, type TurnTarget } from "./turns/engine.ts";
import { turnJson } from "./output/turn_output.ts";
import { resolveWorkdir } from "./turns/workdir.ts";

export { BACKEND_NAMES, ClinvkError, ExitCode, SESSION_STATUSES };
export type {
  BackendName,
  SessionFilter,
  SessionRecord,
  SessionStatus,
  TokenUsage,
  TurnMetadata,
  UnifiedEvent,
};

/** Where the sessions live, and where warnings go. */
export interface StoreOptions {
  /** clinvk's home directory. Default: `CLINVK_HOME`, else `~/.clinvk`. */
  home?: string;
  /**
   * Receives warnings the command would print on stderr (a bad session file skipped, a
   * retention cleanup that failed). Default: they are dropped.
   */
  onWarning?: (message: string) => void;
}

/** What {@linkcode runPrompt} runs, and how. */
export interface PromptOptions extends StoreOptions {
  /** The prompt; surrounding whitespace is trimmed. */
  prompt: string;
  /** Default: `CLINVK_BACKEND`, else `default_backend` in config. */
  backend?: BackendName;
  /** Model name or alias (`fast`, `balanced`, `best`). Default: as the command resolves it. */
  model?: string;
  /** Directory the backend works in. Default: the current directory. */
  workdir?: string;
  /** Record no session, and ask the backend to keep nothing either. */
  ephemeral?: boolean;
  /**
   * Continue this session (id or unique prefix) instead of starting one, as
   * `clinvk resume <id>` does: in the session's own directory, on its backend, with its model
   * unless `model` is given. `backend`, `workdir` and `ephemeral` cannot be combined with it.
   */
  resume?: string;
  /** Stop a backend that runs longer than this (the result then has `exit_code` 124). */
  timeoutSeconds?: number;
  /**
   * Run even when a daily budget (`session.budget.*` in config) is used up, as `--force` does;
   * without it such a prompt throws a `ClinvkError` with exit code 6 before anything runs.
   */
  force?: boolean;
  /** Receives each unified event (`init`, `message`, `tool_use`, …) as the backend streams. */
  onEvent?: (event: UnifiedEvent) => void;
  /**
   * Aborting it stops the backend like Ctrl-C stops the command (`exit_code` 130, the session
   * saved as `error`). Process signals are left to the host program.
   */
  signal?: AbortSignal;
}

/**
 * How a prompt ended: the same object `clinvk -o json` prints. A backend that failed is a
 * result (`exit_code` not 0, `error` set), not an exception.
 */
export interface PromptResult {
  /** clinvk's session id; absent for ephemeral runs. */
  session_id?: string;
  /** The backend that ran. */
  backend: BackendName;
  /** The backend's own session id. */
  backend_session_id: string | null;
  /** The model the backend used, when known. */
  model: string | null;
  /** The session's status after the turn, or `"ephemeral"`. */
  status: SessionStatus | "ephemeral";
  /** The answer text. */
  content: string;
  /** 0 on success; the backend's own code on failure; 124 timeout; 130 interrupted. */
  exit_code: number;
  /** Wall-clock time of the backend run. */
  duration_seconds: number;
  /** This turn's token usage. */
  token_usage: TokenUsage;
  /** One-line reason, when the turn failed. */
  error?: string;
}

/** Filters of {@linkcode listSessions}, and where to look. */
export interface ListSessionsOptions extends SessionFilter, StoreOptions {}

/**
 * Runs a prompt in a new session (or none, with `ephemeral`; or an earlier one, with `resume`)
 * and resolves when the backend is done.
 *
 * @throws {ClinvkError} before anything runs: `exitCode` 2 for a bad option, config or prompt,
 * 3 when the backend CLI is not installed, 4 when the session to resume does not exist or
 * cannot be resumed, 5 when the session store stays locked or the session is in use.
 *
 * @example
 * ```ts
 * import { runPrompt } from "jsr:@clinvk/cli/lib";
 *
 * const result = await runPrompt({
 *   prompt: "Add a test for parseConfig",
 *   backend: "codex",
 *   model: "fast",
 *   workdir: "./my-project",
 *   timeoutSeconds: 600,
 *   onEvent: (event) => event.type === "message" && console.log(event.text),
 * });
 * if (result.exit_code !== 0) console.error(result.error);
 * else console.log(`clinvk resume ${result.session_id}`);
 * ```
 */
export async function runPrompt(options: PromptOptions): Promise<PromptResult> {
  options.signal?.throwIfAborted();
  const prompt = checkPrompt(options.prompt);
  const platform = denoPlatform();
  const home = options.home ?? clinvkHome(platform.env);
  const config = await readConfig(platform, home);
  const settings = resolveSettings({
    flags: { backend: options.backend, model: options.model, timeout: options.timeoutSeconds },
    env: platform.env,
    config,
  });
  const warn = options.onWarning ?? (() => {});
  const deps = { platform, config, store: openStore(platform, home, config, warn), warn };
  const resuming = options.resume !== undefined;
  const report = await runTurn(
    deps,
    resuming
      ? await resumeTarget(deps.store, options)
      : await newTarget(platform, options, settings),
    {
      prompt,
      // A resumed session keeps the model it asked for unless one is given.
      model: resuming ? options.model : settings.model,
      timeoutMs: settings.timeoutSeconds > 0 ? settings.timeoutSeconds * 1000 : undefined,
      signal: options.signal,
      force: options.force,
      // Text deltas are worth asking for only when someone listens to them.
      partial: options.onEvent !== undefined,
      onEvent: (event) => options.onEvent?.(event),
    },
  );
  // The turn ran; a failure to save it is still the caller's to know about.
  if (report.saveError !== undefined) throw report.saveError;
  // The very fields, in the same order, of the `-o json` object.
  return turnJson(report as Parameters<typeof turnJson>[0]) as unknown as PromptResult;
}

async function newTarget(
  platform: Platform,
  options: PromptOptions,
  settings: { backend: string },
): Promise<TurnTarget> {
  const workdir = await resolveWorkdir(platform.fs, platform.cwd(), options.workdir);
  const backend = settings.backend;
  return options.ephemeral
    ? { kind: "ephemeral", backend, workdir }
    : { kind: "new", backend, workdir };
}

async function resumeTarget(store: SessionStore, options: PromptOptions): Promise<TurnTarget> {
  const clash = (["backend", "workdir", "ephemeral"] as const).find((key) =>
    options[key] !== undefined && options[key] !== false
  );
  if (clash) {
    throw usageError(
      `runPrompt(): resume and ${clash} cannot be combined`,
      "A resumed session runs on its own backend, in its own directory, and is recorded.",
    );
  }
  const session = await store.resolve(options.resume!);
  return { kind: "resume", sessionId: session.id };
}

/**
 * The sessions matching `options`, most recently used first — what `clinvk sessions list`
 * shows. Bad session files are skipped (and reported to `onWarning`).
 *
 * @example
 * ```ts
 * import { listSessions } from "jsr:@clinvk/cli/lib";
 *
 * const recent = await listSessions({ backend: "claude", tags: ["project-x"], limit: 10 });
 * for (const session of recent) console.log(session.id, session.status, session.prompt);
 * ```
 */
export async function listSessions(options: ListSessionsOptions = {}): Promise<SessionRecord[]> {
  const { home, onWarning, ...filter } = options;
  const store = await storeFor({ home, onWarning });
  return await store.list(filter);
}

/**
 * One session by id or unique prefix — what `clinvk sessions show` shows.
 *
 * @throws {ClinvkError} `exitCode` 4 when no session or several match (the message lists
 * them), 2 for an id that cannot be one (`/`, `..`).
 *
 * @example
 * ```ts
 * import { getSession } from "jsr:@clinvk/cli/lib";
 *
 * const session = await getSession("k3v9");
 * console.log(session.backend, session.token_usage.total);
 * ```
 */
export async function getSession(
  idOrPrefix: string,
  options: StoreOptions = {},
): Promise<SessionRecord> {
  const store = await storeFor(options);
  return await store.resolve(idOrPrefix);
}

async function readConfig(platform: Platform, home: string): Promise<Config> {
  const path = configPath(home);
  const loaded = await loadConfig({ fs: platform.fs, env: platform.env, path, explicit: false });
  return loaded.config;
}

function openStore(
  platform: Platform,
  home: string,
  config: Config,
  warn: (message: string) => void,
): SessionStore {
  return createFileStore({
    home,
    fs: platform.fs,
    openSqlite: platform.openSqlite,
    clock: platform.clock,
    pid: platform.pid,
    sleep: platform.sleep,
    threads: platform.threads,
    processes: platform.processes,
    warn,
    lockTimeoutMs: config.session.lock_timeout_seconds * 1000,
  });
}

async function storeFor(options: StoreOptions): Promise<SessionStore> {
  const platform = denoPlatform();
  const home = options.home ?? clinvkHome(platform.env);
  const config = await readConfig(platform, home);
  return openStore(platform, home, config, options.onWarning ?? (() => {}));
}
