import { assertEquals, assertIncludes } from "../support/assert.ts";
import { relativeTime } from "../../src/output/relative_time.ts";
import { renderTable, truncateToWidth } from "../../src/output/table.ts";
import { shellQuote } from "../../src/output/shell_quote.ts";
import { sessionSummary } from "../../src/output/session_views.ts";
import { colorEnabled, palette } from "../../src/output/color.ts";

const now = new Date("2025-01-27T12:00:00Z");

Deno.test("relativeTime() says minutes, hours and days like the guide", () => {
  assertEquals(relativeTime(new Date("2025-01-27T11:55:00Z"), now), "5 minutes ago");
  assertEquals(relativeTime(new Date("2025-01-27T10:00:00Z"), now), "2 hours ago");
  assertEquals(relativeTime(new Date("2025-01-26T12:00:00Z"), now), "1 day ago");
  assertEquals(relativeTime(new Date("2025-01-27T11:59:30Z"), now), "just now");
  assertEquals(relativeTime(new Date("2025-01-28T11:59:30Z"), now), "in the future");
});

Deno.test("renderTable() aligns columns by display width, counting CJK as double", () => {
  const out = renderTable(["ID", "PROMPT"], [["认证", "x"], ["ab", "y"]]);
  assertEquals(out, "ID     PROMPT\n认证   x\nab     y\n");
});

Deno.test("truncateToWidth() cuts with an ellipsis within the width", () => {
  assertEquals(truncateToWidth("hello world", 5), "hell…");
  assertEquals(truncateToWidth("修复认证错误", 5), "修复…");
  assertEquals(truncateToWidth("ok", 5), "ok");
});

Deno.test("shellQuote() leaves safe words and quotes the rest", () => {
  assertEquals(shellQuote("--output-format"), "--output-format");
  assertEquals(shellQuote("fix the bug"), "'fix the bug'");
  assertEquals(shellQuote("it's"), `'it'"'"'s'`);
});

Deno.test("colorEnabled() never colours with NO_COLOR and only on a terminal in auto", () => {
  assertEquals(colorEnabled("always", true, "1"), false);
  assertEquals(colorEnabled("auto", false, undefined), false);
  assertEquals(colorEnabled("auto", true, undefined), true);
  assertEquals(colorEnabled("auto", true, ""), true);
  assertEquals(colorEnabled("never", true, undefined), false);
  assertIncludes(palette(true).red("x"), "\x1b[31m");
  assertEquals(palette(false).red("x"), "x");
});

Deno.test("renderTable() escapes and measures each cell, whatever the other cells of its row hold", () => {
  const out = renderTable(["ID", "N", "PROMPT"], [
    ["a\x1b[2J", "1", "plain"],
    ["认证", "22", "x\ty"],
    ["bb", "333", ""],
    ["c", "4"],
  ]);
  assertEquals(
    out,
    "ID       N     PROMPT\n" +
      "a\\e[2J   1     plain\n" +
      "认证     22    x\\ty\n" +
      "bb       333\n" +
      "c        4\n",
  );
});

Deno.test("sessionSummary() puts a title or prompt on one line with single spaces", () => {
  const summary = (title: string | null, prompt: string) =>
    sessionSummary({ title, prompt, parent_id: null });
  assertEquals(summary(null, "fix the bug"), "fix the bug");
  assertEquals(summary(null, " fix\tthe\n\nbug  now "), "fix the bug now");
  assertEquals(summary("a\u00a0title ", "p"), "a title");
  assertEquals(summary("", ""), "(no prompt)");
});
