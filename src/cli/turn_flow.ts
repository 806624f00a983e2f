/**
 * The shared path of every command that runs a prompt — plain prompts, `-c`, `resume`,
 * `sessions fork`: plan the turn, print it for `--dry-run`, or run it and present the outcome.
 * @module
 */
import type { BackendName } from "../backends/types.ts";
import type { Config, OutputFormat } from "../config/schema.ts";
import { errorLine, ExitCode } from "../errors.ts";
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { planTurn, type TurnKind, type TurnPlan } from "../turns/plan_turn.ts";
import { checkSessionWorkdir, isInsideGitRepo } from "../turns/workdir.ts";
import { runTurn } from "../turns/run_turn.ts";
import { turnArgv } from "../turns/execute_turn.ts";
import { turnReport } from "../turns/turn_report.ts";
import { type AppContext, warn } from "./context.ts";
import { createPresenter } from "./presenter.ts";
import { settingsFor, useColor } from "./services.ts";
import type { TurnFlags } from "./shared_flags.ts";
import { shellQuote } from "../output/shell_quote.ts";
import { abortOnSignals } from "../platform/stop_signals.ts";

/** Everything a turn command has resolved before running. */
export interface TurnSetup {
  config: Config;
  backend: BackendName;
  /** Model asked for on the command line / env (alias or name). */
  model?: string;
  format: OutputFormat;
  timeoutSeconds?: number;
  color: boolean;
  dryRun: boolean;
  wait: boolean;
  force: boolean;
}

/**
 * Resolves a turn command's setup from its flags. With `sessionBackend` (resume, fork) the
 * backend is the session's, and only `-m` overrides the session's model.
 */
export function buildTurnSetup(
  context: AppContext,
  config: Config,
  flags: TurnFlags & { backend?: BackendName },
  sessionBackend?: BackendName,
): TurnSetup {
  const settings = settingsFor(
    context,
    config,
    sessionBackend ? { ...flags, backend: sessionBackend } : flags,
  );
  return {
    config,
    backend: settings.backend,
    model: sessionBackend ? flags.model : settings.model,
    format: settings.outputFormat,
    timeoutSeconds: settings.timeoutSeconds,
    color: useColor(context, settings),
    dryRun: flags.dryRun ?? false,
    wait: flags.wait ?? false,
    force: flags.force ?? false,
  };
}

/** One turn to run. */
export interface TurnSpec {
  kind: TurnKind;
  prompt: string;
  /** Real path to run in (for new/ephemeral; resume and fork use the session's). */
  workdir: string;
  /** Session to resume, or parent to fork. */
  session?: SessionRecord;
}

/** Plans, then dry-runs or runs a turn; sets `context.exitCode` when the turn fails. */
export async function runTurnCommand(
  context: AppContext,
  setup: TurnSetup,
  spec: TurnSpec,
  store: SessionStore,
): Promise<void> {
  const { platform } = context;
  const workdir = spec.session?.workdir ?? spec.workdir;
  if (spec.session && !setup.dryRun) {
    await checkSessionWorkdir(platform.fs, workdir, spec.session.id);
  }
  const backend = spec.session?.backend ?? setup.backend;
  // Only Codex refuses to run outside a git repository; don't walk up the tree for the others.
  const insideGitRepo = backend === "codex" ? await isInsideGitRepo(platform.fs, workdir) : true;
  const planFor = (session: SessionRecord | undefined) =>
    planTurn({
      kind: spec.kind,
      backend,
      prompt: spec.prompt,
      model: setup.model ?? session?.metadata.requested_model,
      workdir,
      config: setup.config,
      session,
      insideGitRepo,
      partial: setup.format === "stream-json",
    });
  const plan = planFor(spec.session);
  if (setup.dryRun) return printDryRun(context, setup, plan, spec);

  const presenter = createPresenter(context, {
    format: setup.format,
    color: setup.color,
    showTokens: setup.config.output.show_tokens,
    showTiming: setup.config.output.show_timing,
    label: `${plan.backend.name} is working…`,
  });
  let done;
  // From here until the turn is saved, Ctrl-C, SIGTERM and SIGHUP stop the backend instead of
  // clinvk: the session is saved as `error` (its lease held until then) before clinvk exits.
  const stop = abortOnSignals(platform);
  try {
    done = await runTurn({ platform, config: setup.config, store, warn: (m) => warn(context, m) }, {
      kind: spec.kind,
      plan,
      session: spec.session,
      modelRequested: (setup.model ?? spec.session?.metadata.requested_model) !== undefined,
      replan: spec.kind === "resume" ? planFor : undefined,
      timeoutMs: setup.timeoutSeconds ? setup.timeoutSeconds * 1000 : undefined,
      signal: stop.signal,
      wait: setup.wait,
      force: setup.force,
      onEvent: presenter.onEvent,
    });
  } finally {
    stop.dispose();
    // Also on errors: a spinner left running would keep the process alive.
    presenter.stop();
  }
  const { outcome, record } = done;
  presenter.finish(turnReport(plan, done));
  if (!outcome.ok) {
    const where = record
      ? ` (session ${record.id}; resume it with: clinvk resume ${record.id})`
      : "";
    platform.stderr.write(`${errorLine(`${outcome.error}${where}`)}\n`);
    context.exitCode = outcome.exitCode || ExitCode.BackendFailed;
  }
  // The answer is shown; now say why it could not be saved (lock timeout, full disk…).
  if (done.saveError !== undefined) throw done.saveError;
}

function printDryRun(context: AppContext, setup: TurnSetup, plan: TurnPlan, spec: TurnSpec) {
  const argv = turnArgv(plan);
  const { stdout } = context.platform;
  if (setup.format === "text") {
    stdout.write(`# in ${plan.cwd}\n${argv.map(shellQuote).join(" ")}\n`);
    return;
  }
  stdout.write(
    JSON.stringify(
      {
        dry_run: true,
        kind: spec.kind,
        session_id: spec.kind === "resume" ? spec.session?.id : undefined,
        backend: plan.backend.name,
        cwd: plan.cwd,
        argv,
      },
      null,
      2,
    ) + "\n",
  );
}
