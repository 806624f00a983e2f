/**
 * The official `@anthropic-ai/sdk`, unchanged but for `baseURL`, against the server on every
 * backend: messages streaming and not (the full event sequence), count_tokens, models.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { BACKENDS, call, withServer } from "./harness.ts";

function client(url: string): Anthropic {
  return new Anthropic({ baseURL: url, apiKey: "unused", maxRetries: 0 });
}

for (const backend of BACKENDS) {
  Deno.test(`messages.create() answers on ${backend}, streaming with the full event sequence`, async () => {
    await withServer(async ({ url, store }) => {
      const anthropic = client(url);
      const { data: message, response } = await anthropic.messages.create({
        model: backend,
        max_tokens: 1024,
        system: "Be brief.",
        messages: [{ role: "user", content: "hello" }],
      }).withResponse();
      assert.equal(message.type, "message");
      assert.equal(message.role, "assistant");
      assert.equal(message.stop_reason, "end_turn");
      const first = message.content[0];
      assert.ok(first?.type === "text");
      assert.match(first.text, /^ECHO turn=1: /);
      assert.ok(message.usage.output_tokens > 0);
      assert.ok(response.headers.get("x-clinvk-session"));
      assert.ok(response.headers.get("request-id"));

      const stream = await anthropic.messages.create({
        model: backend,
        max_tokens: 1024,
        messages: [{ role: "user", content: [{ type: "text", text: "streamed" }] }],
        stream: true,
      });
      const events = [];
      for await (const event of stream) events.push(event);
      const types = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
      assert.deepEqual(types, [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
      ]);
      const text = events.flatMap((e) =>
        e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []
      ).join("");
      assert.equal(text, "ECHO turn=1: streamed");
      const delta = events.find((e) => e.type === "message_delta");
      assert.ok(delta?.type === "message_delta" && delta.usage.output_tokens > 0);

      // The SDK's helper assembles the same stream into a final message.
      const final = await anthropic.messages.stream({
        model: backend,
        max_tokens: 64,
        messages: [{ role: "user", content: "helper" }],
      }).finalMessage();
      assert.equal(
        final.content[0]?.type === "text" && final.content[0].text,
        "ECHO turn=1: helper",
      );

      const sessions = await store.list();
      assert.equal(sessions.length, 3);
      assert.ok(sessions.every((s) => s.tags.includes("api") && s.backend === backend));
    });
  });
}

Deno.test("the raw Messages stream has ping after content_block_start, as Anthropic sends it", async () => {
  await withServer(async ({ url }) => {
    const response = await call(`${url}/v1/messages`, {
      method: "POST",
      json: {
        model: "claude",
        max_tokens: 10,
        stream: true,
        messages: [{ role: "user", content: "x" }],
      },
    });
    assert.equal(response.status, 200);
    const names = [...response.text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(names.slice(0, 3), ["message_start", "content_block_start", "ping"]);
    assert.deepEqual(names.slice(-3), ["content_block_stop", "message_delta", "message_stop"]);
  });
});

Deno.test("messages.countTokens() estimates only what clinvk would send", async () => {
  await withServer(async ({ url, sb }) => {
    const anthropic = client(url);
    const messages = [
      { role: "user" as const, content: "a ".repeat(200) },
      { role: "assistant" as const, content: "b ".repeat(200) },
      { role: "user" as const, content: "What now?" },
    ];
    const fresh = await anthropic.messages.countTokens({ model: "claude", messages });
    assert.ok(fresh.input_tokens > 200, `whole transcript counted: ${fresh.input_tokens}`);
    const continued = await anthropic.messages.countTokens(
      { model: "claude", messages },
      { headers: { "X-Clinvk-Session": "anything" } },
    );
    assert.ok(continued.input_tokens < 20, `only the new turn counted: ${continued.input_tokens}`);
    assert.equal(await Deno.readTextFile(sb.log).catch(() => ""), "", "no backend ran");
  });
});

Deno.test("models.list() answers in Anthropic's shape for the Anthropic SDK", async () => {
  await withServer(async ({ url }) => {
    const anthropic = client(url);
    const ids = [];
    for await (const model of anthropic.models.list()) {
      assert.equal(model.type, "model");
      ids.push(model.id);
    }
    assert.deepEqual(ids.slice(0, 4), ["claude", "claude:fast", "claude:balanced", "claude:best"]);
    assert.ok(ids.includes("codex:fast") && ids.includes("gemini"));
  });
});
