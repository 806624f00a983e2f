/**
 * The one interface every backend CLI adapter implements, and the unified result and event
 * types that clinvk prints whichever backend ran (SPEC §7, §8).
 * @module
 */

/** Names of the built-in backends. */
export const BACKEND_NAMES = ["claude", "codex", "gemini"] as const;

/** A built-in backend name. */
export type BackendName = typeof BACKEND_NAMES[number];

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
  /** Whether the working directory is inside a git repository (Codex refuses otherwise). */
  insideGitRepo?: boolean;
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
  /** Result so far; call after the process exited. */
  result(): TurnResult;
}

/** The backend-neutral model aliases (SPEC §7). */
export type ModelAlias = "fast" | "balanced" | "best";

/** One backend CLI adapter. Pure: no I/O, so it is tested against the recorded samples. */
export interface Backend {
  readonly name: BackendName;
  /** The CLI's product name, e.g. "Claude Code". */
  readonly label: string;
  /** What `fast`, `balanced` and `best` mean for this backend. */
  readonly models: Readonly<Record<ModelAlias, string>>;
  /** Executable name looked up on PATH when `backends.<name>.command` is not set. */
  readonly defaultCommand: string;
  /** One sentence telling how to install the CLI. */
  readonly installHint: string;
  /** Maps `fast` / `balanced` / `best` to this backend's model; other names pass through. */
  resolveModel(model: string | undefined): string | undefined;
  /** argv (without the executable) for a streaming run of `request`. */
  streamArgs(request: TurnRequest): string[];
  /** argv for a one-shot JSON run of `request`. */
  jsonArgs(request: TurnRequest): string[];
  /** A fresh parser for the streaming output produced by `streamArgs`. */
  createStreamParser(): StreamParser;
  /** Parses the complete stdout (and stderr, where errors land) of a one-shot JSON run. */
  parseJson(stdout: string, stderr: string): TurnResult;
  /** Parses a plain-text run: stdout is the answer. */
  parseText(stdout: string): TurnResult;
  /** The real error text in stderr of a failed run, without the CLI's start-up noise. */
  errorFromStderr(stderr: string): string | undefined;
  /** Why a run failed, from what the backend printed and its exit code. */
  classifyError(failure: BackendFailure): ErrorClass;
  /** Whether a backend supports forking natively via `streamArgs({fork: true})`. */
  readonly nativeFork: boolean;
  /** Whether the backend keeps nothing with `ephemeral: true` (else clinvk deletes afterwards). */
  readonly nativeEphemeral: boolean;
  /** argv that deletes a backend session, for backends without a native ephemeral mode. */
  deleteSessionArgs?(backendSessionId: string): string[];
}
