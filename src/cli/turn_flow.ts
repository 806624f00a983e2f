/**
 * The shared path of every command that runs a prompt — plain prompts, `-c`, `resume`,
 * `sessions fork`: plan the turn, print it for `--dry-run`, or run it and present the outcome.
 * @module
 */
import type { BackendName } from "../backends/types.ts";
import type { Config, OutputFormat } from "../config/schema.ts";
import { ExitCode } from "../errors.ts";
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { planTurn, type TurnKind, type TurnPlan } from "../turns/plan_turn.ts";
import {
  runEphemeralTurn,
  runSessionTurn,
  type SessionTurnOutcome,
} from "../turns/session_turn.ts";
import { checkSessionWorkdir, isInsideGitRepo } from "../turns/workdir.ts";
import { createTurnSession } from "../turns/new_session.ts";
import { turnReport } from "../turns/turn_report.ts";
import { type AppContext, warn } from "./context.ts";
import { createPresenter } from "./presenter.ts";
import { settingsFor, useColor } from "./services.ts";
import type { TurnFlags } from "./shared_flags.ts";
import { shellQuote } from "../output/shell_quote.ts";
import { codexConfiguredModel } from "../backends/codex_model.ts";

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
  openStore: () => Promise<SessionStore>,
): Promise<void> {
  const { platform } = context;
  const workdir = spec.session?.workdir ?? spec.workdir;
  if (spec.session && !setup.dryRun) {
    await checkSessionWorkdir(platform.fs, workdir, spec.session.id);
  }
  const model = setup.model ?? spec.session?.metadata.requested_model;
  const plan = planTurn({
    kind: spec.kind,
    backend: spec.session?.backend ?? setup.backend,
    prompt: spec.prompt,
    model,
    workdir,
    config: setup.config,
    session: spec.session,
    insideGitRepo: await isInsideGitRepo(platform.fs, workdir),
    partial: setup.format === "stream-json",
  });
  if (setup.dryRun) return printDryRun(context, setup, plan, spec);
  if (plan.backend.name === "codex" && !plan.request.model) {
    plan.modelHint = await codexConfiguredModel(platform.fs, platform.env);
  }

  const presenter = createPresenter(context, {
    format: setup.format,
    color: setup.color,
    showTokens: setup.config.output.show_tokens,
    showTiming: setup.config.output.show_timing,
    label: `${plan.backend.name} is working…`,
  });
  const timeoutMs = setup.timeoutSeconds ? setup.timeoutSeconds * 1000 : undefined;
  let done: SessionTurnOutcome;
  if (spec.kind === "ephemeral") {
    done = await runEphemeralTurn(
      { platform, config: setup.config, warn: (m) => warn(context, m) },
      {
        plan,
        timeoutMs,
        onEvent: presenter.onEvent,
      },
    );
  } else {
    const store = await openStore();
    const record = spec.kind === "resume" && spec.session ? spec.session : await createTurnSession({
      store,
      config: setup.config,
      plan,
      modelRequested: model !== undefined,
      parent: spec.kind === "fork" ? spec.session : undefined,
      warn: (m) => warn(context, m),
    });
    done = await runSessionTurn(
      { platform, store, config: setup.config, warn: (m) => warn(context, m) },
      record,
      { plan, timeoutMs, wait: setup.wait, onEvent: presenter.onEvent },
    );
  }
  const { outcome, record } = done;
  presenter.finish(turnReport(plan, done));
  if (!outcome.ok) {
    const where = record
      ? ` (session ${record.id}; resume it with: clinvk resume ${record.id})`
      : "";
    platform.stderr.write(`clinvk: ${outcome.error}${where}\n`);
    context.exitCode = outcome.exitCode || ExitCode.BackendFailed;
  }
}

function printDryRun(context: AppContext, setup: TurnSetup, plan: TurnPlan, spec: TurnSpec) {
  const argv = [plan.command, ...plan.backend.streamArgs(plan.request)];
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
