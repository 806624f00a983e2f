/**
 * `clinvk compare "prompt" --backends a,b | --all-backends`: the same prompt on several
 * backends (K times each), each candidate in its own worktree when `--check` decides which
 * passed, and optionally a judge that ranks the answers.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { ClinvkError, ExitCode, usageError } from "../../errors.ts";
import { lazyImport } from "../../lazy_import.ts";
import { type AppContext, warn } from "../context.ts";
import { parsePositiveInt, parseSeconds } from "../parsers.ts";
import {
  type DispatchFlags,
  dispatchFlags,
  forceFlag,
  maxParallelFlag,
  maxTokensFlag,
  type OutputFlags,
  outputFlags,
  outputMode,
} from "./run_flags.ts";

/** What the commands run, loaded only when one runs (`clinvk version` and `--help` stay light). */
function machinery(): Promise<typeof import("./run_machinery.ts")> {
  return lazyImport<typeof import("./run_machinery.ts")>("src/cli/runs/run_machinery.ts");
}

interface CompareFlags extends OutputFlags, DispatchFlags {
  backends?: string;
  allBackends?: boolean;
  sequential?: boolean;
  runsPerBackend?: number;
  judge?: string;
  check?: string;
  worktree?: boolean;
  model?: string;
  timeout?: number;
  idleTimeout?: number;
  maxParallel?: number;
  maxTokens?: number;
  force?: boolean;
  workdir?: string;
  ephemeral?: boolean;
}

/** `--backends a,b`: names `check` accepts (backends config defines, built-in or custom). */
function parseBackendList(value: string, check: (name: string) => void): string[] {
  const names = value.split(",").map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) {
    throw usageError("--backends is empty", "Name backends: --backends claude,codex.");
  }
  for (const name of names) check(name);
  return [...new Set(names)];
}

async function compare(
  this: AppContext,
  flags: CompareFlags,
  ...words: string[]
): Promise<void> {
  const {
    backendAvailability,
    backendFor,
    compareSpec,
    startRun,
    resolveWorkdir,
    readPrompt,
    followRun,
    runDeps,
    openDispatcher,
    checkDispatchable,
    startWith,
  } = await machinery();
  const mode = outputMode(flags);
  if (flags.backends && flags.allBackends) {
    throw usageError("--backends and --all-backends cannot be combined", "Pick one.");
  }
  if (!flags.backends && !flags.allBackends) {
    throw usageError(
      "No backends to compare",
      "Name them with --backends claude,codex or use --all-backends.",
    );
  }
  const prompt = await readPrompt(words, this.platform.stdin);
  if (prompt === undefined) {
    throw usageError(
      "No prompt given",
      'Pass one (clinvk compare "…" --backends a,b) or pipe it on stdin.',
    );
  }
  const deps = await runDeps(this, flags.config);
  if (flags.judge) backendFor(deps.config, flags.judge);
  let backends: string[];
  if (flags.allBackends) {
    backends = [];
    for (const backend of await backendAvailability(deps.config, this.platform)) {
      if (backend.available) backends.push(backend.name);
      else {warn(
          this,
          `backend ${backend.name} is not available (${backend.reason}); leaving it out`,
        );}
    }
    if (backends.length === 0) {
      throw new ClinvkError(
        "No backend CLI is installed",
        ExitCode.BackendNotFound,
        "Install a backend CLI, or point backends.<name>.command at one in config.yaml.",
      );
    }
  } else {
    backends = parseBackendList(flags.backends!, (name) => backendFor(deps.config, name));
  }
  const spec = compareSpec({
    prompt,
    backends,
    n: flags.runsPerBackend,
    judge: flags.judge,
    check: flags.check,
    worktree: flags.worktree,
    sequential: flags.sequential,
    model: flags.model,
    timeoutSeconds: flags.timeout,
    idleTimeoutSeconds: flags.idleTimeout,
    ephemeral: flags.ephemeral,
  });
  const cwd = await resolveWorkdir(this.platform.fs, this.platform.cwd(), flags.workdir);
  const dispatcher = await openDispatcher(this, deps.config, flags);
  if (dispatcher) checkDispatchable(spec, flags.worktree);
  const run = await startWith(deps, dispatcher, (withDispatcher) =>
    startRun(withDispatcher, spec, {
      cwd,
      source: null,
      maxParallel: flags.sequential
        ? 1
        : flags.maxParallel ?? (dispatcher ? spec.tasks.length : undefined),
      maxTokens: flags.maxTokens,
      force: flags.force,
      command: "clinvk compare",
    }));
  await followRun(this, run, mode);
}

/** `clinvk compare`. */
export const compareCommand = buildCommand({
  func: compare,
  parameters: {
    flags: {
      backends: {
        kind: "parsed",
        parse: String,
        brief: "Backends to compare, comma-separated (claude,codex)",
        placeholder: "list",
        optional: true,
      },
      allBackends: { kind: "boolean", brief: "Every installed backend", optional: true },
      sequential: { kind: "boolean", brief: "One backend at a time", optional: true },
      runsPerBackend: {
        kind: "parsed",
        parse: parsePositiveInt,
        brief: "Runs per backend, also -n K or --n K (pass@k with --check)",
        placeholder: "k",
        optional: true,
      },
      judge: {
        kind: "parsed",
        parse: String,
        brief: "A backend that ranks the answers (its verdict is recorded)",
        placeholder: "backend",
        optional: true,
      },
      check: {
        kind: "parsed",
        parse: String,
        brief: "Shell command run in each candidate's worktree; exit 0 = passed",
        placeholder: "cmd",
        optional: true,
      },
      worktree: {
        kind: "boolean",
        brief: "Each candidate in its own git worktree",
        optional: true,
      },
      model: {
        kind: "parsed",
        parse: String,
        brief: "Model name or alias for every candidate",
        placeholder: "model",
        optional: true,
      },
      timeout: {
        kind: "parsed",
        parse: parseSeconds,
        brief: "Stop a candidate after this many seconds",
        placeholder: "seconds",
        optional: true,
      },
      idleTimeout: {
        kind: "parsed",
        parse: parseSeconds,
        brief: "Stop a candidate that prints nothing for this many seconds",
        placeholder: "seconds",
        optional: true,
      },
      maxParallel: maxParallelFlag,
      maxTokens: maxTokensFlag,
      force: forceFlag,
      workdir: {
        kind: "parsed",
        parse: String,
        brief: "Directory the backends work in (default: the current one)",
        placeholder: "dir",
        optional: true,
      },
      ephemeral: { kind: "boolean", brief: "Keep no sessions", optional: true },
      ...dispatchFlags,
      ...outputFlags,
    },
    aliases: { q: "quiet", o: "outputFormat", m: "model", w: "workdir", n: "runsPerBackend" },
    positional: {
      kind: "array",
      parameter: {
        brief: "The prompt (or pipe it on stdin)",
        parse: String,
        placeholder: "prompt",
      },
    },
  },
  docs: {
    brief: "Run one prompt on several backends and compare the answers",
    fullDescription: [
      "Runs the prompt on each backend (K times each with --n), as a run whose tasks are",
      "sessions. With --check every candidate works in its own git worktree and passes when the",
      "command exits 0 (pass@k in --json); with --judge a backend ranks the answers.",
      "",
      '  clinvk compare "explain this function" --backends claude,codex',
      '  clinvk compare "fix the failing test" --all-backends --n 3 --check "deno task test"',
      '  clinvk compare "review auth.ts" --backends claude,gemini --judge claude --json',
      "",
      "Exit codes: 0 every candidate done (and passed), 1 one failed, 2 usage, 6 token budget",
      "exceeded, 130 interrupted.",
    ].join("\n"),
  },
});
