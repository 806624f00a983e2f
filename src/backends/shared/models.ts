/**
 * Model aliases (SPEC §7): `fast`, `balanced` and `best` name a model per backend so a user
 * can switch backends without learning each one's model names. Each plug-in says what they
 * mean for it; any other name passes through unchanged.
 * @module
 */
import type { ModelAlias } from "../types.ts";

export type { ModelAlias };

/** The backend-neutral model aliases. */
export const MODEL_ALIASES: readonly ModelAlias[] = ["fast", "balanced", "best"];

/** Whether `name` is one of the backend-neutral aliases. */
export function isModelAlias(name: string): name is ModelAlias {
  return (MODEL_ALIASES as readonly string[]).includes(name);
}

/**
 * Resolves an alias through `table` (a backend's aliases); other names (and `undefined`,
 * meaning "let the backend choose") pass through unchanged. A blank name counts as not given;
 * an alias the table does not define passes through as a name.
 *
 * @example
 * ```ts
 * const table = { fast: "gemini-2.5-flash-lite", balanced: "gemini-2.5-flash", best: "gemini-2.5-pro" };
 * resolveModelAlias(table, "fast"); // "gemini-2.5-flash-lite"
 * resolveModelAlias(table, "claude-sonnet-4-5"); // "claude-sonnet-4-5"
 * ```
 */
export function resolveModelAlias(
  table: Readonly<Partial<Record<ModelAlias, string>>>,
  model: string | undefined,
): string | undefined {
  const name = model?.trim();
  if (!name) return undefined;
  return isModelAlias(name) ? table[name] ?? name : name;
}
