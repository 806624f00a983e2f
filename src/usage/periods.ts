/**
 * Calendar periods in a time zone, for `clinvk usage daily|weekly|monthly` and daily budgets.
 * The catalog sums turns into 15-minute buckets (every time zone's offset is a multiple of
 * 15 minutes), and this folds buckets into local days, ISO weeks (from Monday) or months.
 * @module
 */
import { usageError } from "../errors.ts";

/** Length of the catalog's time buckets. */
export const BUCKET_MS = 15 * 60_000;

/** How rows are cut in time. */
export type PeriodKind = "daily" | "weekly" | "monthly";

/** Checks a time zone name (`UTC`, `Europe/Berlin`); exit 2 when unknown. */
export function checkTimeZone(name: string): string {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: name });
    return name;
  } catch {
    throw usageError(
      `Unknown time zone "${name}"`,
      "Use an IANA name such as UTC, Europe/Berlin or America/New_York.",
    );
  }
}

/** Formats local calendar dates of one time zone, caching per bucket. */
export class LocalCalendar {
  readonly #format: Intl.DateTimeFormat;
  readonly #cache = new Map<number, string>();

  constructor(readonly timeZone: string) {
    this.#format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
  }

  /** The local date (`YYYY-MM-DD`) at `ms`. */
  date(ms: number): string {
    const bucket = Math.floor(ms / BUCKET_MS);
    let date = this.#cache.get(bucket);
    if (date === undefined) {
      date = this.#format.format(new Date(bucket * BUCKET_MS));
      this.#cache.set(bucket, date);
    }
    return date;
  }

  /** The label of the period containing `ms`: `2025-01-27`, `2025-W05` (ISO week) or `2025-01`. */
  period(kind: PeriodKind, ms: number): string {
    const date = this.date(ms);
    if (kind === "daily") return date;
    if (kind === "monthly") return date.slice(0, 7);
    return isoWeek(date);
  }

  /**
   * The first instant of the local day containing `ms` (for "today" budgets): found by
   * stepping back through the buckets of that day, so DST changes need no special case.
   */
  startOfDay(ms: number): number {
    const today = this.date(ms);
    let start = Math.floor(ms / BUCKET_MS) * BUCKET_MS;
    while (this.date(start - BUCKET_MS) === today) start -= BUCKET_MS;
    return start;
  }

  /** The first instant of the local date `YYYY-MM-DD` (for `--since 2025-01-27`). */
  startOfDate(date: string): number {
    // Local midnight is within a day of UTC midnight: search the buckets around it.
    const utc = Date.parse(`${date}T00:00:00Z`);
    for (let ms = utc - 86_400_000; ms <= utc + 86_400_000; ms += BUCKET_MS) {
      if (this.date(ms) === date) return ms;
    }
    return utc;
  }
}

/** ISO 8601 week of a `YYYY-MM-DD` date: `2025-W05`. */
export function isoWeek(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday = 0
  day.setUTCDate(day.getUTCDate() - weekday + 3); // The Thursday of this week decides the year.
  const year = day.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(
    ((day.getTime() - firstThursday.getTime()) / 86_400_000 -
      3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7,
  );
  return `${year}-W${String(week).padStart(2, "0")}`;
}
