/**
 * argv for Claude Code (`claude`), in the order recorded in samples/index.jsonl.
 * @module
 */
import { usageError } from "../../errors.ts";
import { looksLikeFlag, requireChoice, requireSessionId } from "../shared/argv_checks.ts";
import type { TurnRequest } from "../types.ts";

/** Values of `claude --permission-mode` (samples/help/claude-help.txt). */
export const CLAUDE_PERMISSION_MODES = [
  "acceptEdits",
  "auto",
  "bypassPermissions",
  "default",
  "dontAsk",
  "plan",
] as const;

/**
 * Claude Code's subcommands and their aliases (the "Commands:" of samples/help/claude-help.txt).
 */
export const CLAUDE_SUBCOMMANDS: readonly string[] = [
  "agents",
  "auth",
  "auto-mode",
  "doctor",
  "gateway",
  "install",
  "mcp",
  "plugin",
  "plugins",
  "project",
  "setup-token",
  "ultrareview",
  "update",
  "upgrade",
];

/**
 * argv (without the executable) that runs `request` with `--output-format stream-json
 * --verbose` (without `--verbose` Claude Code refuses stream-json in print mode, exit 1).
 *
 * The prompt normally follows `-p` as the samples show. A prompt starting with `-` would be
 * parsed as an option (`error: unknown option`), so it goes last, after the `--` that ends
 * option parsing (`-p` is a boolean flag in Claude Code, so there is no `-p=` form).
 * `extraArgs` come first: before the prompt, and where a variadic option among them
 * (`--allowed-tools A B`) cannot swallow it.
 *
 * A prompt spelled exactly like one of Claude Code's subcommands (`doctor`, `update`, …) would
 * run that subcommand instead: its parser dispatches on the first operand, even after `--`.
 * Such a prompt goes with one leading space, which no subcommand name has and a model reads
 * past.
 */
export function claudeArgs(request: TurnRequest): string[] {
  const flags: string[] = [];
  if (request.resumeId !== undefined) {
    flags.push("--resume", requireSessionId(request.resumeId));
    if (request.fork) flags.push("--fork-session");
  } else if (request.fork) {
    throw new Error("A fork needs the backend session id to fork from (resumeId)");
  }
  if (request.model) flags.push("--model", request.model);
  if (request.ephemeral) flags.push("--no-session-persistence");
  // Appended, not replacing Claude Code's own system prompt, which makes it the coding agent
  // it is. One argv element, so instructions that start with "-" stay a value.
  const system = request.systemPrompt?.trim();
  if (system) flags.push(`--append-system-prompt=${system}`);
  if (request.approvalMode) {
    flags.push(
      "--permission-mode",
      requireChoice(
        request.approvalMode,
        CLAUDE_PERMISSION_MODES,
        "Claude permission mode (backends.claude.approval_mode)",
      ),
    );
  }
  if (request.sandboxMode) {
    throw usageError(
      `Claude Code has no sandbox mode (backends.claude.sandbox_mode is "${request.sandboxMode}")`,
      "Remove backends.claude.sandbox_mode, or use approval_mode (--permission-mode) instead.",
    );
  }
  flags.push("--output-format", "stream-json", "--verbose");
  if (request.partial) flags.push("--include-partial-messages");
  const extra = request.extraArgs ?? [];
  if (looksLikeFlag(request.prompt)) return [...extra, "-p", ...flags, "--", request.prompt];
  const prompt = CLAUDE_SUBCOMMANDS.includes(request.prompt)
    ? ` ${request.prompt}`
    : request.prompt;
  return [...extra, "-p", prompt, ...flags];
}
