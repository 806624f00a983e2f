/**
 * Token arithmetic shared by the adapters and the session store. Every {@linkcode TokenUsage}
 * keeps two invariants: `cached` is part of `input`, and `total = input + output`.
 * @module
 */
import type { TokenUsage } from "../types.ts";

/** A usage of zero tokens. Returns a fresh object each call. */
export function emptyUsage(): TokenUsage {
  return { input: 0, output: 0, cached: 0, total: 0 };
}

/**
 * Builds a usage from its parts, computing `total`. Negative or non-finite counts become 0,
 * and `cached` is capped at `input` because it is a part of it.
 *
 * @example
 * ```ts
 * makeUsage({ input: 100, output: 7, cached: 40 }); // { input: 100, output: 7, cached: 40, total: 107 }
 * ```
 */
export function makeUsage(parts: { input: number; output: number; cached: number }): TokenUsage {
  const input = count(parts.input);
  const output = count(parts.output);
  const cached = Math.min(count(parts.cached), input);
  return { input, output, cached, total: input + output };
}

/** Sum of two usages (e.g. a session's total plus one turn). */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return makeUsage({
    input: a.input + b.input,
    output: a.output + b.output,
    cached: a.cached + b.cached,
  });
}

/**
 * `a - b`, each field clamped at 0. Used to turn a cumulative counter (Codex) into one turn's
 * usage; the clamp protects against a counter that restarted (e.g. a thread compacted or
 * resumed outside clinvk) so a session's totals never shrink.
 *
 * @example
 * ```ts
 * subtractUsage(makeUsage({ input: 18415, output: 14, cached: 2235 }),
 *   makeUsage({ input: 9168, output: 7, cached: 0 })); // input 9247, output 7, cached 2235
 * ```
 */
export function subtractUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return makeUsage({
    input: Math.max(0, a.input - b.input),
    output: Math.max(0, a.output - b.output),
    cached: Math.max(0, a.cached - b.cached),
  });
}

/**
 * The usage of one turn from what the backend reported: as is, or, for a backend whose
 * counter is cumulative over the thread, minus the cumulative figure seen after the previous
 * turn (`undefined` for a thread clinvk has not run before).
 */
export function usageForTurn(
  reported: TokenUsage,
  cumulative: boolean,
  previousCumulative: TokenUsage | undefined,
): TokenUsage {
  if (!cumulative || previousCumulative === undefined) return makeUsage(reported);
  return subtractUsage(reported, previousCumulative);
}

function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
