import assert from "node:assert/strict";
import { formatTimestamp, timestampMs } from "../../src/sessions/time.ts";

Deno.test("timestampMs() agrees with Date.parse on canonical, odd and invalid timestamps", () => {
  const values = [
    "2025-01-27T10:00:00Z",
    "1999-12-31T23:59:59Z",
    "0100-01-01T00:00:00Z",
    "0099-06-15T12:00:00Z",
    "0000-01-01T00:00:00Z",
    "2025-02-30T00:00:00Z",
    "2025-04-31T10:00:00Z",
    "2025-13-01T00:00:00Z",
    "2025-00-10T00:00:00Z",
    "2025-01-00T00:00:00Z",
    "2025-01-32T00:00:00Z",
    "2025-01-01T24:00:00Z",
    "2025-01-01T23:60:00Z",
    "2025-01-01T23:59:60Z",
    "2025-01-01 10:00:00Z",
    "2025-01-01T10:00:00z",
    "2025-1a-01T10:00:00Z",
    "2025-01-27T10:00:00.5Z",
    "2025-01-27T10:00:00+02:00",
    "2025-01-27",
    "",
    "not a date",
    "+02025-01-27T10:00:0Z",
  ];
  for (const value of values) {
    assert.deepEqual(timestampMs(value), Date.parse(value), JSON.stringify(value));
  }
  for (let ms = 0; ms < 4e12; ms += 7_777_777_777) {
    const stamp = formatTimestamp(new Date(ms));
    assert.equal(timestampMs(stamp), Date.parse(stamp), stamp);
  }
});
