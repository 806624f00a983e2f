import assert from "node:assert/strict";
import { checkTimeZone, isoWeek, LocalCalendar } from "../../src/usage/periods.ts";

Deno.test("isoWeek() follows ISO 8601 at year boundaries", () => {
  assert.equal(isoWeek("2025-01-27"), "2025-W05");
  assert.equal(isoWeek("2024-12-30"), "2025-W01");
  assert.equal(isoWeek("2021-01-03"), "2020-W53");
  assert.equal(isoWeek("2027-01-01"), "2026-W53");
});

Deno.test("LocalCalendar puts instants in local days, weeks and months of its time zone", () => {
  const berlin = new LocalCalendar("Europe/Berlin");
  const lateUtc = Date.parse("2025-01-31T23:30:00Z"); // 00:30 on 1 February in Berlin
  assert.equal(berlin.period("daily", lateUtc), "2025-02-01");
  assert.equal(berlin.period("monthly", lateUtc), "2025-02");
  assert.equal(new LocalCalendar("UTC").period("monthly", lateUtc), "2025-01");
  assert.equal(berlin.period("weekly", lateUtc), "2025-W05");
});

Deno.test("LocalCalendar finds local midnight across DST changes and odd offsets", () => {
  const ny = new LocalCalendar("America/New_York");
  // 9 March 2025: clocks go forward at 02:00; the day still began at 05:00 UTC.
  assert.equal(
    new Date(ny.startOfDay(Date.parse("2025-03-09T20:00:00Z"))).toISOString(),
    "2025-03-09T05:00:00.000Z",
  );
  assert.equal(new Date(ny.startOfDate("2025-03-10")).toISOString(), "2025-03-10T04:00:00.000Z");
  const kathmandu = new LocalCalendar("Asia/Kathmandu"); // UTC+5:45
  assert.equal(
    new Date(kathmandu.startOfDay(Date.parse("2025-03-09T12:00:00Z"))).toISOString(),
    "2025-03-08T18:15:00.000Z",
  );
});

Deno.test("checkTimeZone() refuses an unknown zone with exit 2", () => {
  assert.equal(checkTimeZone("Europe/Berlin"), "Europe/Berlin");
  assert.throws(() => checkTimeZone("Mars/Olympus"), { exitCode: 2 });
});
