import { assertEquals } from "../support/assert.ts";
import { turnUsage } from "../../src/turns/token_accounting.ts";
import type { TurnResult } from "../../src/backends/types.ts";

const usage = (input: number, output: number, cached: number) => ({
  input,
  output,
  cached,
  total: input + output,
});

function result(u: ReturnType<typeof usage>, cumulative: boolean): TurnResult {
  return { content: "", usage: u, usageIsCumulative: cumulative };
}

Deno.test("turnUsage() passes per-call usage through unchanged", () => {
  const { usage: turn, metadata } = turnUsage(result(usage(10, 2, 1), false), {});
  assertEquals(turn, usage(10, 2, 1));
  assertEquals(metadata.backend_cumulative_usage, undefined);
});

Deno.test("turnUsage() subtracts the previous cumulative figure (Codex resume)", () => {
  // The recorded Codex samples: new 9168 in / 7 out, resume 18415 / 14 cumulative.
  const first = turnUsage(result(usage(9168, 7, 0), true), {});
  assertEquals(first.usage, usage(9168, 7, 0));
  const second = turnUsage(result(usage(18415, 14, 2235), true), first.metadata);
  assertEquals(second.usage, usage(9247, 7, 2235));
  assertEquals(second.metadata.backend_cumulative_usage, usage(18415, 14, 2235));
});

Deno.test("turnUsage() counts a fork's inherited thread usage once (baseline from the parent)", () => {
  const parent = { backend_cumulative_usage: usage(27744, 23, 4470) };
  const fork = turnUsage(result(usage(37158, 32, 6705), true), parent);
  assertEquals(fork.usage, usage(9414, 9, 2235));
});
