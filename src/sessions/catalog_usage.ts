/**
 * Usage sums over the catalog's turn rows, for `clinvk usage` and budgets: one SQL pass that
 * groups turns by 15-minute bucket (when asked) and by backend, model, tag, workdir, session
 * or run. Calendar periods are folded from the buckets in JavaScript (`usage/periods.ts`),
 * because only JavaScript knows every time zone.
 * @module
 */
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { all, type SqlValue } from "./catalog_sql.ts";
import type { UsageCell, UsageQuery } from "./store_types.ts";
import { ROLLUP_MS } from "./turn_catalog.ts";

const KEYS: Readonly<Record<UsageQuery["by"], { key: string; join: string }>> = {
  none: { key: "NULL", join: "" },
  backend: { key: "t.backend", join: "" },
  model: { key: "t.model", join: "" },
  session: { key: "t.session_id", join: "" },
  run: { key: "t.run_id", join: "" },
  workdir: { key: "s.workdir", join: "LEFT JOIN sessions s ON s.id = t.session_id" },
  // A turn of a session with several tags counts once under each of them.
  tag: {
    key: "g.value",
    join: "LEFT JOIN sessions s ON s.id = t.session_id LEFT JOIN json_each(s.tags) g",
  },
};

/** Whether `ms` is absent or on a rollup bucket boundary. */
const aligned = (ms: number | undefined) => ms === undefined || ms % ROLLUP_MS === 0;

/**
 * Sums from the rollup (a few thousand rows): for no group, backend or model, time buckets of
 * whole rollup buckets, and bounds on bucket boundaries (local midnights are).
 */
function rollupCells(db: SqliteDatabase, query: UsageQuery): UsageCell[] | undefined {
  const key = query.by === "none"
    ? "NULL"
    : query.by === "backend"
    ? "backend"
    : query.by === "model"
    ? "nullif(model, '')"
    : undefined;
  if (key === undefined || !aligned(query.sinceMs) || !aligned(query.untilMs)) return undefined;
  if (query.bucketMs && query.bucketMs % ROLLUP_MS !== 0) return undefined;
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.sinceMs !== undefined) {
    where.push("bucket >= ?"), params.push(query.sinceMs / ROLLUP_MS);
  }
  if (query.untilMs !== undefined) where.push("bucket < ?"), params.push(query.untilMs / ROLLUP_MS);
  if (query.backend !== undefined) where.push("backend = ?"), params.push(query.backend);
  const step = query.bucketMs ? Math.floor(query.bucketMs / ROLLUP_MS) : 0;
  const bucket = step ? `(bucket / ${step}) * ${step * ROLLUP_MS}` : "0";
  return all<UsageCell>(
    db,
    `SELECT ${bucket} AS bucket, ${key} AS key, sum(turns) AS turns, sum(input) AS input,
            sum(output) AS output, sum(cached) AS cached, sum(total) AS total,
            sum(cost_usd) AS cost_usd, sum(unknown_cost_turns) AS unknown_cost_turns,
            max(last_ms) AS last_ms
       FROM turn_rollup ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY 1, 2`,
    ...params,
  );
}

/** Sums of the turns matching `query`, one cell per (bucket, key). */
export function usageCells(db: SqliteDatabase, query: UsageQuery): UsageCell[] {
  const fast = rollupCells(db, query);
  if (fast) return fast;
  const { key, join } = KEYS[query.by];
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.sinceMs !== undefined) where.push("t.at_ms >= ?"), params.push(query.sinceMs);
  if (query.untilMs !== undefined) where.push("t.at_ms < ?"), params.push(query.untilMs);
  if (query.backend !== undefined) where.push("t.backend = ?"), params.push(query.backend);
  const bucket = query.bucketMs ? `(t.at_ms / ${Math.floor(query.bucketMs)})` : "0";
  return all<UsageCell>(
    db,
    `SELECT ${bucket} AS bucket, ${key} AS key, count(*) AS turns, sum(t.input) AS input,
            sum(t.output) AS output, sum(t.cached) AS cached, sum(t.total) AS total,
            coalesce(sum(t.cost_usd), 0) AS cost_usd,
            sum(t.cost_usd IS NULL AND t.total > 0) AS unknown_cost_turns,
            max(t.at_ms) AS last_ms
       FROM turns t ${join}
      ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY 1, 2`,
    ...params,
  ).map((cell) => ({
    ...cell,
    bucket: query.bucketMs ? cell.bucket * Math.floor(query.bucketMs) : 0,
  }));
}
