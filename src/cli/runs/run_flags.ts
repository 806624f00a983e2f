/**
 * Flags shared by `clinvk parallel`, `chain`, `compare` and `runs resume`, and how they turn
 * into an output mode.
 * @module
 */
import type { OutputFormat } from "../../config/schema.ts";
import { usageError } from "../../errors.ts";
import { parseOutputFormat, parsePositiveInt } from "../parsers.ts";
import { backendFlag, configFlag } from "../shared_flags.ts";
import type { RunOutputMode } from "./run_output.ts";

/** Flags of how a run prints. */
export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
  outputFormat?: OutputFormat;
  config?: string;
}

/** Where a run's tasks go: `--dispatch`, `--pool`. */
export interface DispatchFlags {
  dispatch?: string;
  pool?: string;
}

/** Flags of a run started from a file. */
export interface RunFlags extends OutputFlags, DispatchFlags {
  file?: string;
  maxParallel?: number;
  maxTokens?: number;
  force?: boolean;
  backend?: string;
  workdir?: string;
  worktree?: boolean;
}

/** `--json`, `-q`, `-o`, `--config`. */
export const outputFlags = {
  json: {
    kind: "boolean",
    brief: "Print the results as one JSON object (clinvoker's fields, plus run_id, session_id…)",
    optional: true,
  },
  quiet: {
    kind: "boolean",
    brief: "No progress on stderr",
    optional: true,
  },
  outputFormat: {
    kind: "parsed",
    parse: parseOutputFormat,
    brief: "text, json (= --json) or stream-json (one event per line)",
    placeholder: "format",
    optional: true,
  },
  config: configFlag,
} as const;

/** `--max-parallel`. */
export const maxParallelFlag = {
  kind: "parsed",
  parse: parsePositiveInt,
  brief: "Tasks running at once (default: the file's max_parallel, else 4)",
  placeholder: "n",
  optional: true,
} as const;

/** `--max-tokens`. */
export const maxTokensFlag = {
  kind: "parsed",
  parse: parsePositiveInt,
  brief: "Token budget of the whole run: stop it once exceeded (exit 6)",
  placeholder: "n",
  optional: true,
} as const;

/** `--force`: the tasks run in this process even over a daily budget. */
export const forceFlag = {
  kind: "boolean",
  brief: "Run the tasks even over a daily budget (session.budget); workers keep their own",
  optional: true,
} as const;

/** `--dispatch URL` and `--pool NAME`: run the tasks on workers (README "Running across machines"). */
export const dispatchFlags = {
  dispatch: {
    kind: "parsed",
    parse: String,
    brief:
      "Send the tasks to clinvk workers on this NATS server: nats://host:4222 or tls://host:4222 " +
      "(local = this process; default: dispatch.url)",
    placeholder: "url",
    optional: true,
  },
  pool: {
    kind: "parsed",
    parse: String,
    brief: "With --dispatch: only workers of this pool (clinvk worker --pool NAME) get the tasks",
    placeholder: "name",
    optional: true,
  },
} as const;

/** Flags of `parallel` and `chain`. */
export const runFileFlags = {
  file: {
    kind: "parsed",
    parse: String,
    brief: "Run file, YAML or JSON (default: stdin)",
    placeholder: "file",
    optional: true,
  },
  maxParallel: maxParallelFlag,
  maxTokens: maxTokensFlag,
  force: forceFlag,
  backend: { ...backendFlag, brief: "Backend of tasks that name none (default: default_backend)" },
  workdir: {
    kind: "parsed",
    parse: String,
    brief: "Directory relative task workdirs start from (default: the current one)",
    placeholder: "dir",
    optional: true,
  },
  worktree: {
    kind: "boolean",
    brief: "Run every task that starts a session in its own git worktree",
    optional: true,
  },
  ...dispatchFlags,
  ...outputFlags,
} as const;

/** Short aliases of the run flags. */
export const runAliases = {
  f: "file",
  q: "quiet",
  o: "outputFormat",
  b: "backend",
  w: "workdir",
} as const;

/** The output mode the flags ask for. */
export function outputMode(flags: OutputFlags): RunOutputMode {
  if (flags.json && flags.outputFormat && flags.outputFormat !== "json") {
    throw usageError(
      `--json and -o ${flags.outputFormat} cannot be combined`,
      "Pick one output format.",
    );
  }
  const format = flags.json ? "json" : flags.outputFormat ?? "text";
  return { format, quiet: flags.quiet ?? false };
}
