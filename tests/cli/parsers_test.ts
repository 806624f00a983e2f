import { assertEquals, assertThrows } from "../support/assert.ts";
import {
  parseBackend,
  parseDuration,
  parseOutputFormat,
  parsePositiveInt,
  parseSeconds,
  parseStatus,
} from "../../src/cli/parsers.ts";

Deno.test("parseBackend() accepts any backend name case-insensitively; config decides if it exists", () => {
  assertEquals(parseBackend("Codex"), "codex");
  assertEquals(parseBackend("my-agent"), "my-agent");
  assertThrows(() => parseBackend("no/pe"), SyntaxError, "claude, codex, gemini");
  assertThrows(() => parseBackend(""), SyntaxError);
});

Deno.test("parseOutputFormat() and parseStatus() list the valid values on error", () => {
  assertEquals(parseOutputFormat("stream-json"), "stream-json");
  assertThrows(() => parseOutputFormat("yaml"), SyntaxError, "text, json, stream-json");
  assertEquals(parseStatus("completed"), "completed");
  assertThrows(() => parseStatus("done"), SyntaxError, "created, active");
});

Deno.test("parseSeconds() takes numbers of seconds (0 = no limit) and rejects the rest", () => {
  assertEquals(parseSeconds("90"), 90);
  assertEquals(parseSeconds("1.5"), 1.5);
  assertEquals(parseSeconds("0"), 0);
  for (const bad of ["-1", "abc", "1e3", "", "NaN"]) {
    assertThrows(() => parseSeconds(bad), SyntaxError);
  }
});

Deno.test("parsePositiveInt() rejects zero, fractions and words", () => {
  assertEquals(parsePositiveInt("20"), 20);
  for (const bad of ["0", "2.5", "ten", "-3"]) {
    assertThrows(() => parsePositiveInt(bad), SyntaxError);
  }
});

Deno.test("parseDuration() reads s/m/h/d/w and bare days", () => {
  assertEquals(parseDuration("30d"), 30 * 86_400_000);
  assertEquals(parseDuration("7"), 7 * 86_400_000);
  assertEquals(parseDuration("12h"), 12 * 3_600_000);
  assertEquals(parseDuration("90m"), 90 * 60_000);
  assertEquals(parseDuration("2w"), 14 * 86_400_000);
  assertEquals(parseDuration("45s"), 45_000);
  for (const bad of ["30 days", "d", "-1d", "1.5d", "1y"]) {
    assertThrows(() => parseDuration(bad), SyntaxError, "duration");
  }
});

Deno.test("parsePositiveInt() and parseDuration() refuse numbers out of range", () => {
  assertThrows(() => parsePositiveInt("99999999999999999999"), SyntaxError, "out of range");
  assertEquals(parseDuration("36500d"), 36_500 * 86_400_000);
  for (const bad of ["99999999999d", "36501d", "5300w", "999999999999999999999s"]) {
    assertThrows(() => parseDuration(bad), SyntaxError, "out of range");
  }
});
