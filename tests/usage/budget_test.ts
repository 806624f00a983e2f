import assert from "node:assert/strict";
import type { SessionStore, UsageCell, UsageQuery } from "../../src/sessions/store_types.ts";
import { type BudgetConfig, checkBudget } from "../../src/usage/budget.ts";

/** A store that only answers `usage`, with what was spent today per backend. */
function spent(
  byBackend: Record<string, { total: number; cost_usd: number }>,
  asked: UsageQuery[],
) {
  return {
    usage(query: UsageQuery): Promise<UsageCell[]> {
      asked.push(query);
      return Promise.resolve(
        Object.entries(byBackend).map(([key, s]) => ({
          bucket: 0,
          key,
          turns: 1,
          input: s.total,
          output: 0,
          cached: 0,
          total: s.total,
          cost_usd: s.cost_usd,
          unknown_cost_turns: 0,
          last_ms: 0,
        })),
      );
    },
  } as unknown as SessionStore;
}

const now = new Date("2025-01-27T15:00:00Z");

async function check(budget: BudgetConfig, backend: string, force = false) {
  const asked: UsageQuery[] = [];
  const warnings: string[] = [];
  const store = spent(
    { claude: { total: 800, cost_usd: 4 }, codex: { total: 150, cost_usd: 1 } },
    asked,
  );
  await checkBudget({
    store,
    budget,
    backend,
    now,
    timeZone: "UTC",
    force,
    warn: (m) => warnings.push(m),
  });
  return { asked, warnings };
}

Deno.test("checkBudget() reads nothing when no budget is set", async () => {
  assert.deepEqual((await check({}, "claude")).asked, []);
});

Deno.test("checkBudget() counts since local midnight and warns past 80 %", async () => {
  const { asked, warnings } = await check({ daily_tokens: 1100 }, "claude");
  assert.equal(asked[0]!.sinceMs, Date.parse("2025-01-27T00:00:00Z"));
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /86% of the daily token budget is used: 950 tokens of 1,100 tokens today/,
  );
  assert.deepEqual((await check({ daily_tokens: 5000 }, "claude")).warnings, []);
});

Deno.test("checkBudget() refuses a turn over a budget with exit 6, unless forced", async () => {
  await assert.rejects(
    check({ daily_usd: 5 }, "codex"),
    (error: Error & { exitCode?: number; hint?: string }) => {
      assert.equal(error.exitCode, 6);
      assert.match(
        error.message,
        /daily cost budget is used up: \$5\.00 of \$5\.00 today \(session\.budget\.daily_usd\)/,
      );
      assert.match(error.hint!, /--force/);
      return true;
    },
  );
  const forced = await check({ daily_usd: 5 }, "codex", true);
  assert.match(forced.warnings[0]!, /Over the daily cost budget .*--force/);
});

Deno.test("checkBudget() applies a per-backend budget to that backend only", async () => {
  const budget = { backend_daily_tokens: { claude: 500 } };
  await assert.rejects(check(budget, "claude"), {
    exitCode: 6,
    message: /daily claude token budget/,
  });
  assert.deepEqual((await check(budget, "codex")).warnings, []);
});
