/**
 * `clinvk usage [daily|weekly|monthly|session|run]`: tokens and cost of the recorded turns
 * per period (or per session / run), optionally split `--by` backend, model, tag or workdir,
 * with totals and, on a terminal, a bar column.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { BackendName } from "../backends/types.ts";
import { usageError } from "../errors.ts";
import type { UsageGroup } from "../sessions/store_types.ts";
import { BUCKET_MS, checkTimeZone, LocalCalendar } from "../usage/periods.ts";
import { PRICE_TABLE_VERSION } from "../usage/pricing.ts";
import { buildReport, cellGroup, type UsageReportKind } from "../usage/usage_report.ts";
import type { AppContext } from "./context.ts";
import { parseDuration, parsePositiveInt } from "./parsers.ts";
import { loadAppConfig, openStore } from "./services.ts";
import { backendFlag, configFlag, jsonFlag } from "./shared_flags.ts";

const KINDS = ["daily", "weekly", "monthly", "session", "run"] as const;
const GROUPS = ["backend", "model", "tag", "workdir"] as const;

/** A `--since`/`--until` value before the time zone is known. */
type TimeSpec = { date: string } | { agoMs: number } | { atMs: number };

/** `2025-01-27` (local midnight), `7d` (that long ago) or an RFC 3339 instant. */
export function parseTimeSpec(input: string): TimeSpec {
  const text = input.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && Number.isFinite(Date.parse(`${text}T00:00:00Z`))) {
    return { date: text };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(Date.parse(text))) {
    return { atMs: Date.parse(text) };
  }
  try {
    return { agoMs: parseDuration(text) };
  } catch {
    throw new SyntaxError(
      `"${input}" is not a date (2025-01-27), a time (2025-01-27T10:00:00Z) or a duration (7d)`,
    );
  }
}

function oneOf<T extends string>(what: string, values: readonly T[]) {
  return (input: string): T => {
    const value = input.trim().toLowerCase() as T;
    if (values.includes(value)) return value;
    throw new SyntaxError(`unknown ${what} "${input}" (expected one of: ${values.join(", ")})`);
  };
}

interface UsageFlags {
  by?: typeof GROUPS[number];
  since?: TimeSpec;
  until?: TimeSpec;
  timezone?: string;
  backend?: BackendName;
  limit?: number;
  json?: boolean;
  config?: string;
}

function resolveTime(spec: TimeSpec | undefined, now: number, calendar: LocalCalendar) {
  if (spec === undefined) return undefined;
  if ("date" in spec) return calendar.startOfDate(spec.date);
  if ("agoMs" in spec) return now - spec.agoMs;
  return spec.atMs;
}

async function usage(
  this: AppContext,
  flags: UsageFlags,
  kind: UsageReportKind = "daily",
): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const { platform } = this;
  const timeZone = checkTimeZone(
    flags.timezone ?? platform.env.get("TZ") ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  );
  if (flags.by && (kind === "session" || kind === "run")) {
    throw usageError(
      `--by does not apply to "usage ${kind}"`,
      "Use daily, weekly or monthly with --by.",
    );
  }
  const calendar = new LocalCalendar(timeZone);
  const now = platform.clock.now().getTime();
  const sinceMs = resolveTime(flags.since, now, calendar);
  const untilMs = resolveTime(flags.until, now, calendar);
  const by: UsageGroup = cellGroup(kind, flags.by);
  const store = openStore(this, config);
  const cells = await store.usage({
    sinceMs,
    untilMs,
    backend: flags.backend,
    by,
    ...(kind === "session" || kind === "run" ? {} : { bucketMs: BUCKET_MS }),
  });
  const report = buildReport(cells, kind, timeZone);
  // Loaded here, not at start-up: the table's width measure costs tens of ms to load.
  const { usageJsonRow, usageTable } = await import("../output/usage_views.ts");
  const limit = kind === "session" || kind === "run" ? flags.limit ?? 20 : flags.limit;
  const shown = limit === undefined ? report.rows : report.rows.slice(0, limit);
  const iso = (ms: number | undefined) =>
    ms === undefined ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (flags.json) {
    platform.stdout.write(
      JSON.stringify(
        {
          report: kind,
          by: flags.by ?? null,
          timezone: timeZone,
          since: iso(sinceMs),
          until: iso(untilMs),
          price_table: `genai-prices ${PRICE_TABLE_VERSION}`,
          rows: shown.map((row) => usageJsonRow(row, flags.by)),
          totals: usageJsonRow({ ...report.totals, period: "total", key: null }, undefined),
        },
        null,
        2,
      ) + "\n",
    );
    return;
  }
  if (report.rows.length === 0) {
    platform.stderr.write("No turns recorded in that time. Turns are recorded as they run.\n");
    return;
  }
  const label =
    { daily: "DAY", weekly: "WEEK", monthly: "MONTH", session: "SESSION", run: "RUN" }[kind];
  const table = usageTable(
    { rows: shown, totals: report.totals },
    { period: label, ...(flags.by ? { key: flags.by.toUpperCase() } : {}) },
    platform.stdout.isTerminal(),
    platform.stdout.columns(),
  );
  platform.stdout.write(table);
  if (shown.length < report.rows.length) {
    platform.stderr.write(`Showing ${shown.length} of ${report.rows.length} rows (--limit).\n`);
  }
  if (report.totals.unknown_cost_turns > 0) {
    platform.stderr.write(
      `${report.totals.unknown_cost_turns} turn(s) ran on models without a known price ("?"): ` +
        "their tokens are counted, their cost is not. Set pricing.overrides to price them.\n",
    );
  }
}

/** `usage`. */
export const usageCommand = buildCommand({
  func: usage,
  parameters: {
    flags: {
      by: {
        kind: "parsed",
        parse: oneOf("group", GROUPS),
        brief: "Split each period by backend, model, tag or workdir",
        placeholder: "group",
        optional: true,
      },
      since: {
        kind: "parsed",
        parse: parseTimeSpec,
        brief: "From this date (2025-01-27), time, or this long ago (7d)",
        placeholder: "when",
        optional: true,
      },
      until: {
        kind: "parsed",
        parse: parseTimeSpec,
        brief: "Before this date, time, or this long ago",
        placeholder: "when",
        optional: true,
      },
      timezone: {
        kind: "parsed",
        parse: String,
        brief: "Time zone of the days (default: TZ, else the system's)",
        placeholder: "zone",
        optional: true,
      },
      backend: { ...backendFlag, brief: "Only this backend" },
      limit: {
        kind: "parsed",
        parse: parsePositiveInt,
        brief: "At most this many rows (session and run: default 20)",
        placeholder: "n",
        optional: true,
      },
      json: { ...jsonFlag, brief: "Print the report as JSON" },
      config: configFlag,
    },
    aliases: { b: "backend", n: "limit" },
    positional: {
      kind: "tuple",
      parameters: [{
        brief: "daily (default), weekly, monthly, session or run",
        parse: oneOf("report", KINDS),
        placeholder: "report",
        optional: true,
      }],
    },
  },
  docs: { brief: "Tokens and cost per day, week, month, session or run" },
});
