/**
 * Adds one turn's token usage to a session without double counting: Codex reports usage
 * summed over the whole thread (a fork includes its parent's turns), the others per call.
 * @module
 */
import type { TokenUsage, TurnResult } from "../backends/types.ts";
import type { TurnMetadata } from "../sessions/record.ts";

/** All zeros. */
export function zeroUsage(): TokenUsage {
  return { input: 0, output: 0, cached: 0, total: 0 };
}

/** `a + b`, field by field. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cached: a.cached + b.cached,
    total: a.total + b.total,
  };
}

function minus(a: TokenUsage, b: TokenUsage): TokenUsage {
  const clamp = (n: number) => Math.max(0, n);
  return {
    input: clamp(a.input - b.input),
    output: clamp(a.output - b.output),
    cached: clamp(a.cached - b.cached),
    total: clamp(a.total - b.total),
  };
}

/**
 * The usage of this turn alone, and the metadata to store for the next one. For cumulative
 * reports the previous cumulative figure (kept in `metadata.backend_cumulative_usage`, and
 * inherited by forks) is subtracted.
 */
export function turnUsage(
  result: TurnResult,
  metadata: TurnMetadata,
): { usage: TokenUsage; metadata: TurnMetadata } {
  const reported = result.usage ?? zeroUsage();
  if (!result.usageIsCumulative || !result.usage) return { usage: reported, metadata };
  const previous = metadata.backend_cumulative_usage ?? zeroUsage();
  return {
    usage: minus(reported, previous),
    metadata: { ...metadata, backend_cumulative_usage: reported },
  };
}
