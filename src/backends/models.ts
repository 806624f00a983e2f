/**
 * Model aliases (SPEC §7): `fast`, `balanced` and `best` name a model per backend so a user
 * can switch backends without learning each one's model names. Any other name passes through
 * unchanged.
 * @module
 */
import type { BackendName, ModelAlias } from "./types.ts";

export type { ModelAlias };

/** The backend-neutral model aliases. */
export const MODEL_ALIASES: readonly ModelAlias[] = ["fast", "balanced", "best"];

/**
 * What each alias means per backend.
 *
 * - claude: Claude Code's own aliases (`haiku`, `sonnet`, `opus`, see `claude --help`
 *   `--model`), which always point at the latest model of each family — so this table does
 *   not go stale when Anthropic ships a new version.
 * - codex: Codex CLI has no aliases. `gpt-5.5` is the default Codex 0.169 reports in its
 *   text-mode header (samples/codex/text.stderr), so it is `balanced`; `gpt-5.6-sol` is the
 *   newer model the samples select explicitly (samples/index.jsonl, explicit-model), so it is
 *   `best`; `gpt-5.5-mini` is the small sibling of the default for `fast`.
 * - gemini: the 2.5 family, whose names the Gemini CLI accepts with `-m` (the samples select
 *   `gemini-2.5-pro`).
 */
export const MODEL_ALIAS_TABLE: Readonly<
  Record<BackendName, Readonly<Record<ModelAlias, string>>>
> = {
  claude: { fast: "haiku", balanced: "sonnet", best: "opus" },
  codex: { fast: "gpt-5.5-mini", balanced: "gpt-5.5", best: "gpt-5.6-sol" },
  gemini: {
    fast: "gemini-2.5-flash-lite",
    balanced: "gemini-2.5-flash",
    best: "gemini-2.5-pro",
  },
};

/** Whether `name` is one of the backend-neutral aliases. */
export function isModelAlias(name: string): name is ModelAlias {
  return (MODEL_ALIASES as readonly string[]).includes(name);
}

/**
 * Resolves an alias to `backend`'s model; other names (and `undefined`, meaning "let the
 * backend choose") pass through unchanged. A blank name counts as not given.
 *
 * @example
 * ```ts
 * resolveModelAlias("gemini", "fast"); // "gemini-2.5-flash-lite"
 * resolveModelAlias("claude", "claude-sonnet-4-5"); // "claude-sonnet-4-5"
 * ```
 */
export function resolveModelAlias(
  backend: BackendName,
  model: string | undefined,
): string | undefined {
  const name = model?.trim();
  if (!name) return undefined;
  return isModelAlias(name) ? MODEL_ALIAS_TABLE[backend][name] : name;
}
