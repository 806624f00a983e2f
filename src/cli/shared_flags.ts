/**
 * Flag definitions shared by several commands, so each flag reads and behaves the same
 * everywhere. Flags carry no parser defaults: "not given" stays `undefined`.
 * @module
 */
import type { BackendName } from "../backends/types.ts";
import type { OutputFormat } from "../config/schema.ts";
import { parseBackend, parseOutputFormat, parseSeconds } from "./parsers.ts";

/** `--config PATH`. */
export const configFlag = {
  kind: "parsed",
  parse: String,
  brief: "Read this config file instead of $CLINVK_HOME/config.yaml",
  placeholder: "path",
  optional: true,
} as const;

/** `--json`. */
export const jsonFlag = {
  kind: "boolean",
  brief: "Print JSON",
  optional: true,
} as const;

/** `-t/--tag`: repeatable, every tag must be present. */
export const tagFilterFlag = {
  kind: "parsed",
  parse: String,
  brief: "Only sessions with this tag (repeat for AND)",
  placeholder: "tag",
  optional: true,
  variadic: true,
} as const;

/** `-b/--backend`. */
export const backendFlag = {
  kind: "parsed",
  parse: parseBackend,
  brief: "Backend: claude, codex, gemini or a custom one from config",
  placeholder: "name",
  optional: true,
} as const;

/** Flags of every command that runs a turn. */
export interface TurnFlags {
  model?: string;
  outputFormat?: OutputFormat;
  config?: string;
  dryRun?: boolean;
  timeout?: number;
  wait?: boolean;
  force?: boolean;
}

/** Definitions of {@linkcode TurnFlags}. */
export const turnFlags = {
  model: {
    kind: "parsed",
    parse: String,
    brief: "Model name or alias (fast, balanced, best)",
    placeholder: "model",
    optional: true,
  },
  outputFormat: {
    kind: "parsed",
    parse: parseOutputFormat,
    brief: "Output: text, json or stream-json",
    placeholder: "format",
    optional: true,
  },
  config: configFlag,
  dryRun: {
    kind: "boolean",
    brief: "Print the backend command instead of running it",
    optional: true,
  },
  timeout: {
    kind: "parsed",
    parse: parseSeconds,
    brief: "Stop the backend after this many seconds (exit 124; 0 = no limit)",
    placeholder: "seconds",
    optional: true,
  },
  wait: {
    kind: "boolean",
    brief: "Wait for a session another clinvk is using instead of failing",
    optional: true,
  },
  force: {
    kind: "boolean",
    brief: "Run even when a daily budget is used up (else exit 6)",
    optional: true,
  },
} as const;

/** Short aliases of {@linkcode turnFlags}. */
export const turnAliases = { m: "model", o: "outputFormat" } as const;

/** Backend flag value type. */
export type BackendFlag = BackendName | undefined;
