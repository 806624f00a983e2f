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
    const record = await sessionFor(context, store, setup, spec, plan, model);
    done = await runSessionTurn(
      { platform, store, config: setup.config, warn: (m) => warn(context, m) },
      record,
      { plan, timeoutMs, wait: setup.wait, onEvent: presenter.onEvent },
    );
  }
  const { outcome, record } = done;
  presenter.finish({
    sessionId: record?.id,
    backend: plan.backend.name,
    backendSessionId: record?.backend_session_id ?? outcome.result.backendSessionId ?? null,
    model: record?.model ?? outcome.result.model ?? plan.request.model ?? plan.modelHint ?? null,
    status: record?.status ?? "ephemeral",
    content: outcome.result.content,
    exitCode: outcome.exitCode,
    durationSeconds: outcome.durationSeconds,
    usage: done.usage,
    error: outcome.error,
  });
  if (!outcome.ok) {
    const where = record
      ? ` (session ${record.id}; resume it with: clinvk resume ${record.id})`
      : "";
    platform.stderr.write(`clinvk: ${outcome.error}${where}\n`);
    context.exitCode = outcome.exitCode || ExitCode.BackendFailed;
  }
}

/** The record a turn runs on: the resumed one, or a new one (new prompt or fork). */
async function sessionFor(
  context: AppContext,
  store: SessionStore,
  setup: TurnSetup,
  spec: TurnSpec,
  plan: TurnPlan,
  model: string | undefined,
): Promise<SessionRecord> {
  if (spec.kind === "resume" && spec.session) return spec.session;
  if (spec.kind === "new") {
    await applyRetention(context, store, setup.config.session.retention_days);
  }
  const parent = spec.kind === "fork" ? spec.session : undefined;
  const record = await store.create({
    backend: plan.backend.name,
    model: plan.request.model ?? plan.modelHint ?? null,
    workdir: plan.cwd,
    prompt: spec.prompt,
    tags: parent ? [...parent.tags] : defaultTags(setup.config),
    parent_id: parent?.id ?? null,
  });
  const metadata = { ...record.metadata };
  if (model) metadata.requested_model = plan.request.model;
  // A fork's backend reports its parent's thread usage too (Codex); start from the parent's.
  if (parent?.metadata.backend_cumulative_usage) {
    metadata.backend_cumulative_usage = parent.metadata.backend_cumulative_usage;
  }
  if (Object.keys(metadata).length === 0) return record;
  return await store.update(record.id, (r) => ({ ...r, metadata: { ...r.metadata, ...metadata } }));
}

/** `session.default_tags` (already `${VAR}`-expanded at load), without blanks or repeats. */
function defaultTags(config: Config): string[] {
  return [...new Set(config.session.default_tags.map((tag) => tag.trim()).filter(Boolean))];
}

async function applyRetention(context: AppContext, store: SessionStore, days: number) {
  try {
    await store.maybeApplyRetention(days);
  } catch (error) {
    // A denied Deno permission stops the prompt right after anyway; let it say so once.
    if (error instanceof Error && error.name === "NotCapable") throw error;
    // Retention is housekeeping: it must never stop the user's prompt.
    warn(context, `retention cleanup skipped: ${error instanceof Error ? error.message : error}`);
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
