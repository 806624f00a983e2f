/**
 * The command tree and the application: how parse errors, thrown errors and exit codes are
 * turned into one clear line and a documented exit code.
 * @module
 */
import {
  type Application,
  ArgumentScannerError,
  buildApplication,
  buildRouteMap,
  formatMessageForArgumentScannerError,
  type RouteMap,
  text_en,
} from "@stricli/core";
import {
  ClinvkError,
  diskErrorHint,
  errorLine,
  ExitCode,
  ExitSilently,
  formatError,
} from "../errors.ts";
import { StreamWriteError } from "../platform/types.ts";
import { VERSION } from "../version.ts";
import { completionsCommand } from "./completions/completions_command.ts";
import { configRoutes } from "./config_command.ts";
import type { AppContext } from "./context.ts";
import { promptCommandSpec } from "./prompt_command.ts";
import { resumeCommandSpec } from "./resume_command.ts";
import { compareCommand } from "./runs/compare_command.ts";
import { chainCommand, parallelCommand } from "./runs/file_run_command.ts";
import { runsRoutes } from "./runs/runs_commands.ts";
import { serveRoutes } from "./serve/routes.ts";
import { sessionsRoutes } from "./sessions/routes.ts";
import { usageCommand } from "./usage_command.ts";
import { versionCommand } from "./version_command.ts";
import { workerRoutes } from "./worker/routes.ts";

const USAGE_HINT = 'Run "clinvk --help" for usage.';

/** The root route map. The prompt command is the default, so `clinvk "prompt"` runs it. */
export const routes: RouteMap<AppContext> = buildRouteMap({
  routes: {
    run: promptCommandSpec,
    resume: resumeCommandSpec,
    sessions: sessionsRoutes,
    parallel: parallelCommand,
    chain: chainCommand,
    compare: compareCommand,
    runs: runsRoutes,
    usage: usageCommand,
    config: configRoutes,
    serve: serveRoutes,
    worker: workerRoutes,
    version: versionCommand,
    completions: completionsCommand(() => routes),
  },
  defaultCommand: "run",
  docs: {
    brief: "One command line for Claude Code, Codex CLI and Gemini CLI, with resumable sessions",
    fullDescription: [
      "One command line for Claude Code, Codex CLI and Gemini CLI, with resumable sessions.",
      "",
      '  clinvk "fix the bug"               run a prompt in a new session ("run" may be omitted)',
      '  clinvk -b codex -m fast "..."      pick the backend and model',
      '  clinvk -c "now add tests"          continue the most recent session',
      "  clinvk resume --last | <id>        resume a session",
      "  clinvk sessions list               list sessions",
      "  clinvk parallel -f tasks.yaml      run many tasks at once (chain, compare: see --help)",
      "  clinvk sessions search <words>     search prompts, answers, titles and tags",
      "  clinvk usage [daily|weekly|…]      tokens and cost per day, week, month, session",
      "  clinvk serve                       OpenAI/Anthropic-compatible HTTP API",
      "",
      "Prompt flags: -b/--backend, -m/--model, -w/--workdir, -o/--output-format, --ephemeral,",
      "-c/--continue, --config, --dry-run, --timeout, --wait, --force (details: clinvk run --help).",
      'Words that name a command are never sent as a prompt; to send them: clinvk -- "sessions list".',
      "Exit codes: 0 ok, 1 backend failed (or the backend's own code), 2 usage/config, 3 backend",
      "not found, 4 session not found, 5 lock timeout/session in use, 6 over a daily budget,",
      "124 timeout, 130 interrupted.",
    ].join("\n"),
  },
});

/** Turns any error into the one line clinvk prints (never a stack trace). */
export function describeError(error: unknown): string {
  if (error instanceof ExitSilently) return "";
  if (error instanceof ClinvkError) return formatError(error);
  if (error instanceof StreamWriteError) {
    // Not the store's disk: the place stdout (or stderr) was sent to refused the bytes.
    return errorLine(
      `Cannot write to ${error.stream}: ${error.message}. Check where ${error.stream} is redirected.`,
    );
  }
  const diskHint = diskErrorHint(error);
  if (diskHint) {
    // Atomic writes leave the previous version of every file in place, so nothing was lost.
    return errorLine(`Cannot write to disk: ${(error as Error).message}. ${diskHint}`);
  }
  if (
    error instanceof Error && (error.name === "NotCapable" || error.name === "PermissionDenied")
  ) {
    // Deno's message names the flag to add ("run again with the --allow-read flag").
    return errorLine(`Permission denied: ${error.message}.`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return errorLine(
    `Unexpected error: ${message}. Please report this at the clinvk issue tracker.`,
  );
}

/** Exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ClinvkError) return error.exitCode;
  if (
    error instanceof Error && (error.name === "NotCapable" || error.name === "PermissionDenied")
  ) {
    return ExitCode.Usage;
  }
  return ExitCode.BackendFailed;
}

/** The application. */
export const app: Application<AppContext> = buildApplication(routes, {
  name: "clinvk",
  versionInfo: { currentVersion: VERSION },
  scanner: { caseStyle: "allow-kebab-for-camel", allowArgumentEscapeSequence: true },
  documentation: { caseStyle: "convert-camel-to-kebab", useAliasInUsageLine: true },
  determineExitCode: exitCodeFor,
  localization: {
    loadText: () => ({
      ...text_en,
      noCommandRegisteredForInput: ({ input, corrections }) =>
        errorLine(
          `Unknown command "${input}".${
            corrections.length > 0 ? ` Did you mean ${corrections.join(" or ")}?` : ""
          } ${USAGE_HINT}`,
        ),
      exceptionWhileParsingArguments: (error) => {
        const message = error instanceof ArgumentScannerError
          ? formatMessageForArgumentScannerError(error, {})
          : error instanceof Error
          ? error.message
          : String(error);
        // "…did you mean --json?" keeps its question mark; anything else ends in one full stop.
        const text = /[.?!]$/.test(message) ? message : `${message}.`;
        return errorLine(`${text} ${USAGE_HINT}`);
      },
      exceptionWhileRunningCommand: (error) => describeError(error),
      commandErrorResult: (error) => describeError(error),
    }),
  },
});
