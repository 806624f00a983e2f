/**
 * Pure renderers of `clinvk usage`: the table (with a bar column on a terminal) and the JSON.
 * @module
 */
import type { UsageReport, UsageRow } from "../usage/usage_report.ts";
import { renderTable } from "./table.ts";

/** What a row cost: `$1.23`, `$1.23 + ?` when some turns have no known price, or `cost unknown`. */
export function rowCost(row: Pick<UsageRow, "cost_usd" | "unknown_cost_turns" | "turns">): string {
  if (row.unknown_cost_turns > 0 && row.unknown_cost_turns === row.turns) return "cost unknown";
  const known = row.cost_usd < 0.01 && row.cost_usd > 0
    ? `$${row.cost_usd.toFixed(4)}`
    : `$${row.cost_usd.toFixed(2)}`;
  return row.unknown_cost_turns > 0 ? `${known} + ?` : known;
}

const count = (n: number) => n.toLocaleString("en-US");

/** Width of the bar column. */
const BAR_WIDTH = 20;

function bar(value: number, max: number): string {
  if (max <= 0 || value <= 0) return "";
  return "█".repeat(Math.max(1, Math.round((value / max) * BAR_WIDTH)));
}

/** The usage table; `bars` adds a column scaled by cost (by tokens when costs are unknown). */
export function usageTable(
  report: UsageReport,
  labels: { period: string; key?: string },
  bars: boolean,
  width?: number,
): string {
  const byCost = report.rows.some((row) => row.cost_usd > 0);
  const measure = (row: UsageRow) => (byCost ? row.cost_usd : row.total);
  const max = Math.max(0, ...report.rows.map(measure));
  const header = [
    labels.period,
    ...(labels.key ? [labels.key] : []),
    "TURNS",
    "INPUT",
    "OUTPUT",
    "CACHED",
    "TOTAL",
    "COST",
    ...(bars ? [""] : []),
  ];
  const cells = (
    row: UsageRow | (UsageReport["totals"] & { period: string; key: string | null }),
  ) => [
    row.period,
    ...(labels.key ? [row.key ?? "(none)"] : []),
    count(row.turns),
    count(row.input),
    count(row.output),
    count(row.cached),
    count(row.total),
    rowCost(row),
  ];
  const rows = report.rows.map((row) => [...cells(row), ...(bars ? [bar(measure(row), max)] : [])]);
  rows.push([
    ...cells({ ...report.totals, period: "TOTAL", key: labels.key ? "" : null }),
    ...(bars ? [""] : []),
  ]);
  return renderTable(header, rows, width);
}

/** One JSON row: the period, the `--by` key under its own name, sums and costs. */
export function usageJsonRow(row: UsageRow, by: string | undefined): Record<string, unknown> {
  return {
    period: row.period,
    ...(by ? { [by]: row.key } : {}),
    turns: row.turns,
    input: row.input,
    output: row.output,
    cached: row.cached,
    total: row.total,
    cost_usd: row.unknown_cost_turns === row.turns && row.turns > 0 ? null : row.cost_usd,
    cost_complete: row.unknown_cost_turns === 0,
    unknown_cost_turns: row.unknown_cost_turns,
    last_turn_at: row.last_ms > 0
      ? new Date(row.last_ms).toISOString().replace(/\.\d{3}Z$/, "Z")
      : null,
  };
}
