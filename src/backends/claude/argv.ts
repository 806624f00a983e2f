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
 * argv (without the executable) that runs `request` with `--output-format stream-json
 * --verbose` (without `--verbose` Claude Code refuses stream-json in print mode, exit 1).
 *
 * The prompt normally follows `-p` as the samples show. A prompt starting with `-` would be
 * parsed as an option (`error: unknown option`), so it goes last, after the `--` that ends
 * option parsing (`-p` is a boolean flag in Claude Code, so there is no `-p=` form).
 * `extraArgs` come first: before the prompt, and where a variadic option among them
 * (`--allowed-tools A B`) cannot swallow it.
 *
 * Not handled: a prompt that is exactly a subcommand name (`update`, `doctor`, …) may be
 * dispatched to that subcommand by Claude Code's argument parser even after `--`.
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
  return looksLikeFlag(request.prompt)
    ? [...extra, "-p", ...flags, "--", request.prompt]
    : [...extra, "-p", request.prompt, ...flags];
}
