/**
 * The shared path of every command that runs a prompt — plain prompts, `-c`, `resume`,
 * `sessions fork`: resolve the settings, call the turn engine (or its dry run), present the
 * outcome. A failed turn is a thrown `ClinvkError` carrying the backend's exit code.
 * @module
 */
import type { BackendName } from "../backends/types.ts";
import type { Config, OutputFormat } from "../config/schema.ts";
import { ClinvkError, formatError, usageError } from "../errors.ts";
import { shellQuote } from "../output/shell_quote.ts";
import { abortOnSignals } from "../platform/stop_signals.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { runTurn, type TurnReport, type TurnTarget } from "../turns/engine.ts";
import { type AppContext, warn } from "./context.ts";
import { createPresenter } from "./presenter.ts";
import { settingsFor, useColor } from "./services.ts";
import type { TurnFlags } from "./shared_flags.ts";

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

/** A backend filter (`-c -b X`, `resume --backend X`) must name a configured backend. */
export function checkBackendFilter(config: Config, backend: string | undefined): void {
  if (backend === undefined || Object.hasOwn(config.backends, backend)) return;
  throw usageError(
    `Unknown backend "${backend}"`,
    `Use one of: ${Object.keys(config.backends).join(", ")}.`,
  );
}

/**
 * Runs (or, with `--dry-run`, plans) one turn and presents it. Throws a `ClinvkError` with the
 * turn's exit code when it failed, after the answer (if any) is shown.
 */
export async function runTurnCommand(
  context: AppContext,
  setup: TurnSetup,
  target: TurnTarget,
  prompt: string,
  store: SessionStore,
): Promise<void> {
  const { platform } = context;
  const deps = { platform, config: setup.config, store, warn: (m: string) => warn(context, m) };
  const options = {
    prompt,
    model: setup.model,
    timeoutMs: setup.timeoutSeconds ? setup.timeoutSeconds * 1000 : undefined,
    wait: setup.wait,
    force: setup.force,
    partial: setup.format === "stream-json",
  };
  if (setup.dryRun) {
    printDryRun(context, setup, target, await runTurn(deps, target, { ...options, dryRun: true }));
    return;
  }
  const presenter = createPresenter(context, {
    format: setup.format,
    color: setup.color,
    showTokens: setup.config.output.show_tokens,
    showTiming: setup.config.output.show_timing,
    label: `${setup.backend} is working…`,
  });
  let report: TurnReport;
  // From here until the turn is saved, Ctrl-C, SIGTERM and SIGHUP stop the backend instead of
  // clinvk: the session is saved as `error` (its lease held until then) before clinvk exits.
  const stop = abortOnSignals(platform);
  try {
    report = await runTurn(deps, target, {
      ...options,
      signal: stop.signal,
      onEvent: presenter.onEvent,
    });
  } finally {
    stop.dispose();
    // Also on errors: a spinner left running would keep the process alive.
    presenter.stop();
  }
  presenter.finish(report);
  if (report.exitCode !== 0) {
    const where = report.sessionId === undefined
      ? ""
      : report.resumable
      ? ` (session ${report.sessionId}; resume it with: clinvk resume ${report.sessionId})`
      : ` (session ${report.sessionId}, which cannot be resumed)`;
    const failed = new ClinvkError(`${report.error ?? "The turn failed"}${where}`, report.exitCode);
    if (report.saveError === undefined) throw failed;
    platform.stderr.write(formatError(failed) + "\n");
  }
  // The answer is shown; now say why it could not be saved (lock timeout, full disk…).
  if (report.saveError !== undefined) throw report.saveError;
}

function printDryRun(
  context: AppContext,
  setup: TurnSetup,
  target: TurnTarget,
  report: TurnReport,
) {
  const { stdout } = context.platform;
  if (setup.format === "text") {
    stdout.write(`# in ${report.cwd}\n${report.argv.map(shellQuote).join(" ")}\n`);
    return;
  }
  stdout.write(
    JSON.stringify(
      {
        dry_run: true,
        kind: target.kind,
        session_id: report.sessionId,
        backend: report.backend,
        cwd: report.cwd,
        argv: report.argv,
      },
      null,
      2,
    ) + "\n",
  );
}
