/**
 * argv for the Gemini CLI (`gemini`), in the order recorded in samples/index.jsonl.
 * @module
 */
import { looksLikeFlag, requireChoice, requireSessionId } from "../shared/argv_checks.ts";
import { withSystemPreamble } from "../shared/system_prompt.ts";
import type { TurnRequest } from "../types.ts";

/** Values of `gemini --approval-mode` (samples/help/gemini-help.txt). */
export const GEMINI_APPROVAL_MODES = ["default", "auto_edit", "yolo", "plan"] as const;

/**
 * Values clinvk accepts for Gemini's sandbox setting. Gemini's `-s/--sandbox` is a boolean
 * flag, so the setting is an on/off switch: `on`/`true` pass `--sandbox`, `off`/`false` pass
 * `--sandbox=false` (overriding a sandbox enabled in Gemini's own settings).
 */
export const GEMINI_SANDBOX_MODES = ["on", "off", "true", "false"] as const;

/**
 * argv (without the executable) that runs `request` with `-o stream-json`.
 *
 * Gemini has no native fork (fork by copying the chat file with `forkGeminiChat`, then resume
 * the copy) and no "don't persist" flag (its chat files are removed afterwards), so `fork` is
 * refused here and `ephemeral` adds nothing.
 *
 * The prompt is the value of `-p`. A prompt starting with `-` would be read as another
 * option, so it is attached as `--prompt=P`, which the CLI's parser reads as one value.
 * `extraArgs` come first, before the prompt.
 */
export function geminiArgs(request: TurnRequest): string[] {
  if (request.fork) {
    throw new Error(
      "Gemini has no native fork: copy the chat with forkGeminiChat() and resume the copy",
    );
  }
  const flags: string[] = [];
  if (request.resumeId !== undefined) flags.push("--resume", requireSessionId(request.resumeId));
  if (request.model) flags.push("-m", request.model);
  if (request.approvalMode) {
    flags.push(
      "--approval-mode",
      requireChoice(
        request.approvalMode,
        GEMINI_APPROVAL_MODES,
        "Gemini approval mode (backends.gemini.approval_mode)",
      ),
    );
  }
  if (request.sandboxMode) {
    const sandbox = requireChoice(
      request.sandboxMode,
      GEMINI_SANDBOX_MODES,
      "Gemini sandbox mode (backends.gemini.sandbox_mode)",
    );
    flags.push(sandbox === "on" || sandbox === "true" ? "--sandbox" : "--sandbox=false");
  }
  flags.push("-o", "stream-json");
  // Gemini has no system prompt flag (samples/help/gemini-help.txt).
  const text = withSystemPreamble(request.prompt, request.systemPrompt);
  const prompt = looksLikeFlag(text) ? [`--prompt=${text}`] : ["-p", text];
  return [...(request.extraArgs ?? []), ...prompt, ...flags];
}
