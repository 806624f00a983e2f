/**
 * "Did you mean …?" for mistyped config keys.
 * @module
 */
import { configKeyPaths, configSectionPaths } from "./schema.ts";

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known key or section closest to `path`, when one is an obvious fix: a small typo
 * (`session.retension_days`) or the right name in the wrong place (`retention_days` at the top
 * level → `session.retention_days`). `undefined` when nothing is close enough to be useful.
 */
export function suggestKey(path: string): string | undefined {
  const candidates = [...configKeyPaths(), ...configSectionPaths()];
  const last = path.slice(path.lastIndexOf(".") + 1);
  const sameName = candidates.filter((c) => c.slice(c.lastIndexOf(".") + 1) === last);
  // A name that exists in exactly one place is the obvious target; under backends.* it
  // exists once per backend, and guessing a backend would be wrong.
  if (sameName.length === 1) return sameName[0];
  return closestName(path, candidates);
}

/**
 * The candidate within a recognisable typo of `name` (roughly one edit per four characters, at
 * least two), the closest one first; `undefined` when none is that close.
 *
 * @example
 * ```ts
 * closestName("nedds", ["needs", "name"]); // "needs"
 * ```
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}
