/**
 * Daily budgets (`session.budget.*`): before a turn starts, what was spent since local
 * midnight — in tokens and in dollars, in all and per backend — is compared with the limits.
 * At or over a limit the turn is refused (exit 6) unless `--force`; past 80 % a warning.
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import type { SessionStore, UsageCell } from "../sessions/store_types.ts";
import { LocalCalendar } from "./periods.ts";

/** The limits of `session.budget` (every one optional). */
export interface BudgetConfig {
  daily_tokens?: number;
  daily_usd?: number;
  /** Per backend name: daily tokens. */
  backend_daily_tokens?: Record<string, number>;
  /** Per backend name: daily USD. */
  backend_daily_usd?: Record<string, number>;
}

/** Share of a limit past which a warning is printed. */
export const WARN_SHARE = 0.8;

/** What {@linkcode checkBudget} needs. */
export interface BudgetCheck {
  store: SessionStore;
  budget: BudgetConfig;
  /** The backend about to run. */
  backend: string;
  now: Date;
  timeZone: string;
  /** `--force`: run even when over budget (still warned). */
  force: boolean;
  warn(message: string): void;
}

/** One limit that applies to this turn. */
interface Limit {
  key: string;
  what: string;
  limit: number;
  spent: number;
  unit: "tokens" | "usd";
}

function amount(value: number, unit: Limit["unit"]): string {
  return unit === "usd"
    ? `$${value.toFixed(2)}`
    : `${Math.round(value).toLocaleString("en-US")} tokens`;
}

function sum(cells: readonly UsageCell[], unit: Limit["unit"]): number {
  return cells.reduce((total, cell) => total + (unit === "usd" ? cell.cost_usd : cell.total), 0);
}

/** Whether any limit is configured (nothing is read when none is). */
export function hasBudget(budget: BudgetConfig): boolean {
  return budget.daily_tokens !== undefined || budget.daily_usd !== undefined ||
    Object.keys(budget.backend_daily_tokens ?? {}).length > 0 ||
    Object.keys(budget.backend_daily_usd ?? {}).length > 0;
}

/**
 * Refuses (exit 6) a turn that would start over a daily budget, unless `force`; warns past
 * 80 %. Reads the catalog only when a limit is configured.
 */
export async function checkBudget(check: BudgetCheck): Promise<void> {
  const { budget, backend } = check;
  if (!hasBudget(budget)) return;
  const calendar = new LocalCalendar(check.timeZone);
  const sinceMs = calendar.startOfDay(check.now.getTime());
  const cells = await check.store.usage({ sinceMs, by: "backend" });
  const mine = cells.filter((cell) => cell.key === backend);
  const limits: Limit[] = [];
  const add = (
    key: string,
    what: string,
    limit: number | undefined,
    unit: Limit["unit"],
    of: UsageCell[],
  ) => {
    if (limit !== undefined) limits.push({ key, what, limit, unit, spent: sum(of, unit) });
  };
  add("session.budget.daily_tokens", "daily token budget", budget.daily_tokens, "tokens", cells);
  add("session.budget.daily_usd", "daily cost budget", budget.daily_usd, "usd", cells);
  add(
    `session.budget.backend_daily_tokens.${backend}`,
    `daily ${backend} token budget`,
    budget.backend_daily_tokens?.[backend],
    "tokens",
    mine,
  );
  add(
    `session.budget.backend_daily_usd.${backend}`,
    `daily ${backend} cost budget`,
    budget.backend_daily_usd?.[backend],
    "usd",
    mine,
  );
  for (const limit of limits) {
    const used = `${amount(limit.spent, limit.unit)} of ${amount(limit.limit, limit.unit)}`;
    if (limit.spent >= limit.limit) {
      if (!check.force) {
        throw new ClinvkError(
          `The ${limit.what} is used up: ${used} today (${limit.key})`,
          ExitCode.BudgetExceeded,
          `Raise ${limit.key}, wait until tomorrow (${check.timeZone}), or pass --force.`,
        );
      }
      check.warn(`Over the ${limit.what} (${used} today); running anyway because of --force`);
    } else if (limit.spent >= WARN_SHARE * limit.limit) {
      const share = Math.floor((limit.spent / limit.limit) * 100);
      check.warn(`${share}% of the ${limit.what} is used: ${used} today (${limit.key})`);
    }
  }
}
