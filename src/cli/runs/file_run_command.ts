/**
 * `clinvk parallel` and `clinvk chain`: a run from a file (or stdin).
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { RunKind } from "../../runs/run_spec.ts";
import { lazyImport } from "../../lazy_import.ts";
import { type AppContext, warn } from "../context.ts";
import { outputMode, runAliases, runFileFlags, type RunFlags } from "./run_flags.ts";

/** What the commands run, loaded only when one runs (`clinvk version` and `--help` stay light). */
function machinery(): Promise<typeof import("./run_machinery.ts")> {
  return lazyImport<typeof import("./run_machinery.ts")>("src/cli/runs/run_machinery.ts");
}

async function runFile(
  context: AppContext,
  kind: RunKind,
  flags: RunFlags & { failFast?: boolean },
): Promise<void> {
  const {
    formatRunFileProblem,
    parseRunText,
    startRun,
    resolveWorkdir,
    followRun,
    knownBackends,
    readRunFile,
    runDeps,
    openDispatcher,
    checkDispatchable,
    startWith,
  } = await machinery();
  const mode = outputMode(flags);
  const file = await readRunFile(context, flags.file);
  const deps = await runDeps(context, flags.config);
  const { spec, warnings } = parseRunText(file.text, {
    file: file.name,
    kind,
    backends: knownBackends(deps.config),
  });
  for (const problem of warnings) warn(context, formatRunFileProblem(problem));
  const cwd = await resolveWorkdir(context.platform.fs, context.platform.cwd(), flags.workdir);
  const dispatcher = await openDispatcher(context, deps.config, flags);
  if (dispatcher) checkDispatchable(spec, flags.worktree);
  const run = await startWith(deps, dispatcher, (withDispatcher) =>
    startRun(withDispatcher, spec, {
      cwd,
      source: file.name,
      backend: flags.backend,
      // On workers, every ready task is queued at once unless a limit is set: the workers'
      // own --max-parallel decides how many run.
      maxParallel: flags.maxParallel ??
        (dispatcher ? spec.max_parallel ?? spec.tasks.length : undefined),
      failFast: flags.failFast,
      maxTokens: flags.maxTokens,
      force: flags.force,
      worktree: flags.worktree,
      command: `clinvk ${kind}`,
    }));
  await followRun(context, run, mode);
}

const EXIT_CODES =
  "Exit codes: 0 every task done, 1 a task failed (or was skipped or canceled), 2 bad run file " +
  "(file:line:column), 5 run busy, 6 token budget exceeded, 130 interrupted.";

/** `clinvk parallel`. */
export const parallelCommand = buildCommand({
  func: function (this: AppContext, flags: RunFlags & { failFast?: boolean }) {
    return runFile(this, "parallel", flags);
  },
  parameters: {
    flags: {
      ...runFileFlags,
      failFast: {
        kind: "boolean",
        brief:
          "Stop everything at the first failure (default: a failure skips only its dependents)",
        optional: true,
      },
    },
    aliases: runAliases,
  },
  docs: {
    brief: "Run the tasks of a file at once, in dependency order (needs:)",
    fullDescription: [
      "Runs the tasks of a YAML or JSON run file (or stdin): every task whose needs are done",
      "starts, up to --max-parallel at once and backends.<name>.max_parallel per backend. Each",
      "task is a normal session tagged run:<run-id>, resumable on its own; the run is recorded",
      "in $CLINVK_HOME/runs and `clinvk runs resume <id>` finishes what did not.",
      "",
      "  clinvk parallel -f tasks.yaml",
      "  clinvk parallel -f tasks.json --max-parallel 8 --fail-fast --json",
      "  cat tasks.json | clinvk parallel -q",
      "",
      "The run file format (with a complete example) is in the README.",
      EXIT_CODES,
    ].join("\n"),
  },
});

/** `clinvk chain`. */
export const chainCommand = buildCommand({
  func: function (this: AppContext, flags: RunFlags) {
    return runFile(this, "chain", flags);
  },
  parameters: { flags: runFileFlags, aliases: runAliases },
  docs: {
    brief: "Run the steps of a file one after the other; {{previous}} is the step before's answer",
    fullDescription: [
      "Runs the steps of a YAML or JSON file (steps: or tasks:) in order; each step needs the one",
      "before it, and {{previous}} in its prompt is that step's answer. A failed step skips the",
      "rest (stop_on_failure: false runs them anyway). Prints the last step's answer.",
      "",
      "  clinvk chain -f steps.yaml",
      "  clinvk chain -f pipeline.json --json",
      "",
      EXIT_CODES,
    ].join("\n"),
  },
});
