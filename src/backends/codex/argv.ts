/**
 * argv for the Codex CLI (`codex exec`), in the order recorded in samples/index.jsonl.
 * @module
 */
import { usageError } from "../../errors.ts";
import { looksLikeFlag, requireChoice, requireSessionId } from "../shared/argv_checks.ts";
import { withSystemPreamble } from "../shared/system_prompt.ts";
import type { TurnRequest } from "../types.ts";

/** Values of `codex exec -s/--sandbox` (samples/help/codex-exec-help.txt). */
export const CODEX_SANDBOX_MODES = ["read-only", "workspace-write", "danger-full-access"] as const;

/**
 * Approval modes clinvk accepts for Codex. `codex exec` has no `--ask-for-approval`: it never
 * asks (its header says `approval: never`), so `never` is the default and adds nothing;
 * `bypass` is `--dangerously-bypass-approvals-and-sandbox` (no approvals *and* no sandbox,
 * for runs inside an external sandbox).
 */
export const CODEX_APPROVAL_MODES = ["never", "bypass"] as const;

/** `codex exec` subcommand names: a prompt spelled like one must follow `--`. */
const EXEC_SUBCOMMANDS = ["resume", "fork", "review", "help"];

/**
 * argv (without the executable) for `request`. Codex prints the same JSONL events for
 * streaming and one-shot runs, so there is one form.
 *
 * - new: `exec --json [flags] P`; resume: `exec resume --json [flags] ID P`;
 *   fork: `exec fork --json [flags] ID P`.
 * - `ephemeral` adds `--ephemeral` to new runs and forks. `exec resume` accepts the flag but
 *   does not honour it (samples/README.md), so it is not passed there: a resumed turn is
 *   recorded in Codex's own store.
 * - `exec resume` and `exec fork` have no `-s/--sandbox`; there the same setting is passed as
 *   the config override `-c sandbox_mode="…"`.
 * - `place.insideGitRepo === false` adds `--skip-git-repo-check` (else Codex exits 1, "Not inside a
 *   trusted directory").
 * - `extraArgs` come after clinvk's flags. The positionals (id, prompt) follow `--` when
 *   something could misread them: a prompt starting with `-` or spelled like an `exec`
 *   subcommand, or extra args whose last option takes several values (`-i a.png …`) and would
 *   swallow them. A prompt that is exactly `-` still means "read stdin" to Codex.
 */
export function codexArgs(request: TurnRequest, place: { insideGitRepo: boolean }): string[] {
  const resuming = request.resumeId !== undefined;
  if (request.fork && !resuming) {
    throw new Error("A fork needs the backend session id to fork from (resumeId)");
  }
  const mode = !resuming ? "new" : request.fork ? "fork" : "resume";
  const argv = mode === "new" ? ["exec", "--json"] : ["exec", mode, "--json"];
  if (request.model) argv.push("-m", request.model);
  if (request.ephemeral && mode !== "resume") argv.push("--ephemeral");
  if (!place.insideGitRepo) argv.push("--skip-git-repo-check");
  argv.push(...approvalAndSandboxArgs(request, mode === "new"));
  const extra = request.extraArgs ?? [];
  argv.push(...extra);
  // `codex exec` has no system prompt flag (samples/help/codex-exec-help.txt).
  const prompt = withSystemPreamble(request.prompt, request.systemPrompt);
  const positionals = request.resumeId === undefined
    ? [prompt]
    : [requireSessionId(request.resumeId), prompt];
  const needsSeparator = extra.length > 0 || looksLikeFlag(prompt) ||
    (mode === "new" && EXEC_SUBCOMMANDS.includes(prompt));
  argv.push(...(needsSeparator ? ["--", ...positionals] : positionals));
  return argv;
}

function approvalAndSandboxArgs(request: TurnRequest, newSession: boolean): string[] {
  const approval = request.approvalMode
    ? requireChoice(
      request.approvalMode,
      CODEX_APPROVAL_MODES,
      "Codex approval mode (backends.codex.approval_mode)",
    )
    : undefined;
  const sandbox = request.sandboxMode
    ? requireChoice(
      request.sandboxMode,
      CODEX_SANDBOX_MODES,
      "Codex sandbox mode (backends.codex.sandbox_mode)",
    )
    : undefined;
  if (approval === "bypass") {
    if (sandbox !== undefined) {
      throw usageError(
        `Codex approval mode "bypass" turns the sandbox off, but sandbox_mode is "${sandbox}"`,
        "Remove backends.codex.sandbox_mode or choose approval_mode never.",
      );
    }
    return ["--dangerously-bypass-approvals-and-sandbox"];
  }
  if (sandbox === undefined) return [];
  return newSession ? ["-s", sandbox] : ["-c", `sandbox_mode="${sandbox}"`];
}
