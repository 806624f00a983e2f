/**
 * The one interface every backend plug-in implements — everything that differs between backend
 * CLIs — and the unified result and event types that clinvk prints whichever backend ran
 * (SPEC §7, §8).
 * @module
 */
import type { Clock, Env, Fs } from "../platform/types.ts";

/** Names of the built-in backends. */
export const BACKEND_NAMES = ["claude", "codex", "gemini"] as const;

/**
 * What a backend name may be: a lowercase letter, then up to 31 lowercase letters, digits, `-`
 * or `_` (it is a config key, a `-b` value and part of an environment variable name).
 */
export const BACKEND_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** A built-in backend name. */
export type BuiltinBackendName = typeof BACKEND_NAMES[number];

/**
 * A backend's name: a built-in one or one defined in config (`backends.<name>` with
 * `kind: custom`), lowercase letters, digits, `-` and `_`.
 */
export type BackendName = string;

/** Token counts of one turn or of a whole session. `input` includes `cached`; `total = input + output`. */
export interface TokenUsage {
  /** Input tokens, cached ones included. */
  input: number;
  /** Output tokens. */
  output: number;
  /** Input tokens served from the prompt cache. */
  cached: number;
  /** `input + output`. */
  total: number;
}

/** What to ask the backend for one turn. */
export interface TurnRequest {
  prompt: string;
  /** Model name after alias resolution; `undefined` lets the backend choose. */
  model?: string;
  /** Backend session id to continue. */
  resumeId?: string;
  /**
   * For a backend that takes its session id from clinvk (a custom backend with `{session_id}`
   * in its argv for new sessions): the id to start the session with.
   */
  newSessionId?: string;
  /** With `resumeId`: start a new backend session that carries the old one's history. */
  fork?: boolean;
  /** Ask the backend not to persist the conversation. */
  ephemeral?: boolean;
  /** Backend-specific approval mode name from config (passed through to the CLI's own flag). */
  approvalMode?: string;
  /** Backend-specific sandbox mode name from config. */
  sandboxMode?: string;
  /** Extra argv from `backends.<name>.extra_args`, placed before the prompt. */
  extraArgs?: string[];
  /** Ask for partial text deltas (only matters for streaming output). */
  partial?: boolean;
  /**
   * Instructions for the system prompt: passed with the backend's own flag where it has one
   * (Claude `--append-system-prompt`), else as a marked preamble of the prompt.
   */
  systemPrompt?: string;
}

/** Unified events (SPEC §8), the same shape for every backend. */
export type UnifiedEvent =
  | { type: "init"; backend: BackendName; backend_session_id: string; model?: string }
  | { type: "message"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool_use"; id?: string; name: string; input?: unknown }
  | { type: "tool_result"; id?: string; output?: unknown; is_error?: boolean }
  | { type: "error"; message: string; fatal: boolean }
  | { type: "usage"; usage: TokenUsage; cumulative: boolean };

/** Everything clinvk learns from one backend run. */
export interface TurnResult {
  content: string;
  backendSessionId?: string;
  model?: string;
  /** Usage reported for this run (for Codex: cumulative over the thread, see `usageIsCumulative`). */
  usage?: TokenUsage;
  /** True when the backend reports usage summed over the whole thread (Codex). */
  usageIsCumulative: boolean;
  /** The backend's own error message, when the turn failed (one readable line). */
  error?: string;
  /** The error as the backend printed it, before it was made readable (for classification). */
  errorRaw?: string;
  /** The HTTP status of the model API's error, when the backend reports one. */
  errorStatus?: number;
}

/**
 * Why a turn failed, for retries (`rate_limit`, `overloaded`, `network` are worth retrying)
 * and HTTP status mapping. The backends classify their own errors; `timeout` and
 * `interrupted` are the engine's.
 */
export type ErrorClass =
  | "auth"
  | "rate_limit"
  | "overloaded"
  | "not_found"
  | "bad_request"
  | "network"
  | "timeout"
  | "interrupted"
  | "other";

/** What a backend's failed run left behind, for {@linkcode Backend.classifyError}. */
export interface BackendFailure {
  /** The one-line error clinvk reports. */
  message: string;
  /** {@linkcode TurnResult.errorRaw}, when the stream carried the error. */
  raw?: string;
  /** {@linkcode TurnResult.errorStatus}. */
  status?: number;
  /** The backend's exit code. */
  exitCode: number;
  /** What it printed on stderr. */
  stderr: string;
}

/** Incremental parser of a backend's streaming stdout, one line at a time. */
export interface StreamParser {
  /** Feeds one stdout line; returns the unified events it produced (possibly none). */
  push(line: string): UnifiedEvent[];
  /** Events held back until the output ended (called once, after the process exited). */
  end?(): UnifiedEvent[];
  /** Result so far; call after the process exited. */
  result(): TurnResult;
}

/** The backend-neutral model aliases (SPEC §7). */
export type ModelAlias = "fast" | "balanced" | "best";

/**
 * What a plug-in may touch on the machine while it plans or tidies up a turn: files (Codex's
 * `config.toml`, Gemini's chat files), the environment the backend process gets (clinvk's,
 * overlaid with `backends.<name>.env`), the clock, and the session's working directory.
 */
export interface BackendContext {
  fs: Fs;
  env: Env;
  clock: Clock;
  /** The real path the backend runs in. */
  workdir: string;
}

/** What a plug-in found after a turn on one of its sessions. */
export interface AfterTurn {
  /**
   * False when the backend kept nothing of the session (a Gemini first turn that failed): its
   * id must then not be recorded, since resuming it cannot work.
   */
  saved: boolean;
  /** Something worth telling the user (a clean-up that failed). */
  warning?: string;
}

/**
 * One backend: a complete plug-in. Everything that differs between backend CLIs lives behind
 * this interface, in the backend's own folder (`src/backends/<name>/`); the engine, the CLI and
 * the store never name a backend.
 */
export interface Backend {
  readonly name: BackendName;
  /** The CLI's product name, e.g. "Claude Code". */
  readonly label: string;
  /** `builtin` for the three CLIs clinvk ships with, `custom` for one defined in config. */
  readonly kind: "builtin" | "custom";
  /** What `fast`, `balanced` and `best` mean for this backend. */
  readonly models: Readonly<Partial<Record<ModelAlias, string>>>;
  /** Executable name looked up on PATH when `backends.<name>.command` is not set. */
  readonly defaultCommand: string;
  /** One sentence telling how to install the CLI. */
  readonly installHint: string;
  /** Whether a session can be continued (`request.resumeId`). */
  readonly canResume: boolean;
  /**
   * How it forks: `native` (`request.fork` with `resumeId`), `copy` (clinvk copies the backend's
   * transcript with {@linkcode Backend.copyFork} and resumes the copy), or `none`.
   */
  readonly fork: "native" | "copy" | "none";
  /**
   * How an ephemeral run keeps nothing: `native` (`request.ephemeral`), `forget` (clinvk
   * removes what it kept afterwards with {@linkcode Backend.forget}), or `none` (it keeps its
   * transcript; clinvk records nothing).
   */
  readonly ephemeral: "native" | "forget" | "none";
  /**
   * True when clinvk chooses the session id of a new session and passes it in
   * `request.newSessionId` (the backend then reports none itself).
   */
  readonly choosesSessionId?: boolean;
  /** Maps an alias to this backend's model; other names pass through; blank is "not given". */
  resolveModel(model: string | undefined): string | undefined;
  /**
   * argv (without the executable) for one streaming turn of `request`. May look at the machine
   * (Codex checks whether the directory is a git repository).
   */
  turnArgs(request: TurnRequest, context: BackendContext): Promise<string[]>;
  /** argv that reopens a backend session in the CLI's own interactive mode. */
  interactiveArgs?(backendSessionId: string): string[];
  /** A fresh parser for the output of `turnArgs`. */
  createStreamParser(): StreamParser;
  /** The real error text in stderr of a failed run, without the CLI's start-up noise. */
  errorFromStderr(stderr: string): string | undefined;
  /** Why a run failed, from what the backend printed and its exit code. */
  classifyError(failure: BackendFailure): ErrorClass;
  /** The model the backend runs when none is passed, where clinvk can tell (Codex's config). */
  defaultModel?(context: BackendContext): Promise<string | undefined>;
  /**
   * For `fork: "copy"`: copies backend session `parentId` under a new id and returns that id.
   * Refuses (a `ClinvkError`) rather than guess when the transcript is not what it expects.
   */
  copyFork?(context: BackendContext, parentId: string): Promise<string>;
  /** For `ephemeral: "forget"`: removes what the backend kept of an ephemeral run. */
  forget?(context: BackendContext, backendSessionId: string): Promise<string | undefined>;
  /** Tidies up after every turn on a session and says whether the backend kept it. */
  afterTurn?(context: BackendContext, backendSessionId: string): Promise<AfterTurn>;
  /** Where the backend keeps its own transcript of a session, when it exists (import, search). */
  transcriptPath?(context: BackendContext, backendSessionId: string): Promise<string | undefined>;
}
