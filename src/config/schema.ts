/**
 * The shape of clinvk's configuration and its built-in defaults: the one source of truth
 * for config keys (used by load, validate, `config get/set` and the README).
 * @module
 */
import type { BackendName } from "../backends/types.ts";

/** Output formats of `-o/--output-format`. */
export const OUTPUT_FORMATS = ["text", "json", "stream-json"] as const;
/** An output format. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** Colour policy. */
export const COLOR_MODES = ["auto", "always", "never"] as const;
/** A colour policy. */
export type ColorMode = typeof COLOR_MODES[number];

/** Per-backend settings. */
export interface BackendConfig {
  /** Executable name or path; defaults to the backend's name looked up on PATH. */
  command?: string;
  /** Default model (alias or name). */
  model?: string;
  /** Passed to the CLI's own approval flag (Claude `--permission-mode`, Gemini `--approval-mode`). */
  approval_mode?: string;
  /** Passed to the CLI's own sandbox flag (Codex `-s`, Gemini `-s`). */
  sandbox_mode?: string;
  /** Extra argv placed before the prompt. */
  extra_args: string[];
  /** Extra environment variables for the backend process. */
  env: Record<string, string>;
}

/** The whole configuration after defaults are applied. */
export interface Config {
  default_backend: BackendName;
  backends: Record<BackendName, BackendConfig>;
  session: {
    retention_days: number;
    store_token_usage: boolean;
    default_tags: string[];
    /** Seconds to wait for the store lock before giving up (exit 5). */
    lock_timeout_seconds: number;
  };
  output: {
    format: OutputFormat;
    show_tokens: boolean;
    show_timing: boolean;
    color: ColorMode;
  };
  /** Kill a backend that runs longer than this (0 = no limit). */
  timeout_seconds: number;
}

function backendDefaults(): BackendConfig {
  return { extra_args: [], env: {} };
}

/** Built-in defaults. Returns a fresh object each call. */
export function defaultConfig(): Config {
  return {
    default_backend: "claude",
    backends: { claude: backendDefaults(), codex: backendDefaults(), gemini: backendDefaults() },
    session: {
      retention_days: 30,
      store_token_usage: true,
      default_tags: [],
      lock_timeout_seconds: 30,
    },
    output: { format: "text", show_tokens: false, show_timing: false, color: "auto" },
    timeout_seconds: 0,
  };
}
