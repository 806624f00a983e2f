/**
 * Adds one turn's token usage to a session without double counting: Codex reports usage
 * summed over the whole thread (a fork includes its parent's turns), the others per call.
 * @module
 */
import type { TokenUsage, TurnResult } from "../backends/types.ts";
import { emptyUsage, usageForTurn } from "../backends/shared/usage.ts";
import type { TurnMetadata } from "../sessions/record.ts";

/**
 * The usage of this turn alone, and the metadata to store for the next one. For cumulative
 * reports the previous cumulative figure (kept in `metadata.backend_cumulative_usage`, and
 * inherited by forks) is subtracted.
 */
export function turnUsage(
  result: TurnResult,
  metadata: TurnMetadata,
): { usage: TokenUsage; metadata: TurnMetadata } {
  if (!result.usage) return { usage: emptyUsage(), metadata };
  const usage = usageForTurn(
    result.usage,
    result.usageIsCumulative,
    metadata.backend_cumulative_usage,
  );
  if (!result.usageIsCumulative) return { usage, metadata };
  return { usage, metadata: { ...metadata, backend_cumulative_usage: result.usage } };
}
