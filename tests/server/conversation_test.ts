import assert from "node:assert/strict";
import { ApiError } from "../../src/server/api_error.ts";
import { contentText, turnPrompt } from "../../src/server/conversation.ts";
import { estimateTokens } from "../../src/server/anthropic/token_estimate.ts";

const history = [
  { role: "system" as const, text: "Be brief." },
  { role: "user" as const, text: "Hi" },
  { role: "assistant" as const, text: "Hello!" },
  { role: "user" as const, text: "Add a test" },
  { role: "user" as const, text: "for parse()" },
];

Deno.test("turnPrompt() sends only the trailing user messages of a continued session", () => {
  assert.deepEqual(turnPrompt(history, true), {
    prompt: "Add a test\n\nfor parse()",
    systemPrompt: "Be brief.",
  });
});

Deno.test("turnPrompt() starts a new session with the earlier messages as a marked transcript", () => {
  assert.equal(
    turnPrompt(history, false).prompt,
    "[Conversation so far]\nUser: Hi\nAssistant: Hello!\n[End of conversation so far]\n\n" +
      "Add a test\n\nfor parse()",
  );
  assert.deepEqual(turnPrompt([{ role: "user", text: "only" }], false), { prompt: "only" });
});

Deno.test("turnPrompt() refuses a conversation that does not end with user text", () => {
  for (const messages of [history.slice(0, 3), [{ role: "user" as const, text: "  " }]]) {
    assert.throws(
      () => turnPrompt(messages, false),
      (e: unknown) => e instanceof ApiError && e.status === 400,
    );
  }
});

Deno.test("contentText() joins text parts, skips the given types and refuses others", () => {
  assert.equal(contentText("plain", ["text"], "m"), "plain");
  assert.equal(contentText(null, ["text"], "m"), "");
  assert.equal(
    contentText(
      [{ type: "text", text: "a" }, { type: "thinking" }, { type: "text", text: "b" }],
      ["text"],
      "m",
      ["thinking"],
    ),
    "a\nb",
  );
  assert.throws(
    () => contentText([{ type: "image" }], ["text"], "messages[0]"),
    (e: unknown) =>
      e instanceof ApiError && /image in messages\[0\] is not supported/.test(e.message),
  );
});

Deno.test("estimateTokens() counts ~4 ASCII characters or 1 other character per token, plus framing", () => {
  assert.equal(estimateTokens([]), 0);
  assert.equal(estimateTokens(["abcd".repeat(25)]), 25 + 4);
  assert.equal(estimateTokens(["你好世界"]), 4 + 4);
  assert.equal(estimateTokens(["a", "b"]), 2 * (1 + 4));
});
