/**
 * The rows of `clinvk usage`: cells from the catalog folded into calendar periods (or one row
 * per session / run), with totals. Pure: the command reads the cells, this shapes them.
 * @module
 */
import type { UsageCell, UsageGroup } from "../sessions/store_types.ts";
import { LocalCalendar, type PeriodKind } from "./periods.ts";

/** How `usage` cuts its rows. */
export type UsageReportKind = PeriodKind | "session" | "run";

/** One row of the report: a period (or session, run) and a `--by` key, with their sums. */
export interface UsageRow extends Omit<UsageCell, "bucket" | "key"> {
  /** `2025-01-27`, `2025-W05`, `2025-01`, a session id, a run id, or `(none)`. */
  period: string;
  /** The `--by` group's key (`null` when the turns have none, e.g. an untagged session). */
  key: string | null;
}

/** A whole report. */
export interface UsageReport {
  rows: UsageRow[];
  totals: Omit<UsageRow, "period" | "key">;
}

function empty(): Omit<UsageRow, "period" | "key"> {
  return {
    turns: 0,
    input: 0,
    output: 0,
    cached: 0,
    total: 0,
    cost_usd: 0,
    unknown_cost_turns: 0,
    last_ms: 0,
  };
}

function add(into: Omit<UsageRow, "period" | "key">, cell: UsageCell): void {
  into.turns += cell.turns;
  into.input += cell.input;
  into.output += cell.output;
  into.cached += cell.cached;
  into.total += cell.total;
  into.cost_usd += cell.cost_usd;
  into.unknown_cost_turns += cell.unknown_cost_turns;
  into.last_ms = Math.max(into.last_ms, cell.last_ms);
}

/** The catalog group to ask for: `session`/`run` reports group by those, else by `--by`. */
export function cellGroup(kind: UsageReportKind, by: UsageGroup | undefined): UsageGroup {
  if (kind === "session" || kind === "run") return kind;
  return by ?? "none";
}

/**
 * Folds `cells` into report rows. For periods, cells carry their bucket's start and the
 * `--by` key; for `session`/`run` the key is the session or run and `by` is not used.
 * Rows: periods oldest first, then by cost and tokens; sessions and runs by cost, tokens.
 */
export function buildReport(
  cells: readonly UsageCell[],
  kind: UsageReportKind,
  timeZone: string,
): UsageReport {
  const calendar = new LocalCalendar(timeZone);
  const rows = new Map<string, UsageRow>();
  const totals = empty();
  for (const cell of cells) {
    const period = kind === "session" || kind === "run"
      ? cell.key ?? "(none)"
      : calendar.period(kind, cell.bucket);
    const key = kind === "session" || kind === "run" ? null : cell.key;
    const id = JSON.stringify([period, key]);
    let row = rows.get(id);
    if (!row) rows.set(id, row = { period, key, ...empty() });
    add(row, cell);
    add(totals, cell);
  }
  const byCost = (a: UsageRow, b: UsageRow) =>
    b.cost_usd - a.cost_usd || b.total - a.total || (a.key ?? "").localeCompare(b.key ?? "");
  const sorted = [...rows.values()].sort((a, b) =>
    kind === "session" || kind === "run"
      ? byCost(a, b)
      : a.period.localeCompare(b.period) || byCost(a, b)
  );
  return { rows: sorted, totals };
}
