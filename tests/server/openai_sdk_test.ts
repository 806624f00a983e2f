/**
 * The official `openai` SDK, unchanged but for `baseURL`, against the server on every backend:
 * Chat Completions and Responses, streaming and not.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { BACKENDS, withServer } from "./harness.ts";

function client(url: string): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
}

for (const backend of BACKENDS) {
  Deno.test(`chat.completions.create() answers on ${backend}, streaming and not, each turn a session`, async () => {
    await withServer(async ({ url, store }) => {
      const openai = client(url);
      const { data, response } = await openai.chat.completions.create({
        model: backend,
        messages: [{ role: "user", content: "hello" }],
      }).withResponse();
      assert.equal(data.object, "chat.completion");
      assert.equal(data.choices[0]?.message.content, "ECHO turn=1: hello");
      assert.equal(data.choices[0]?.finish_reason, "stop");
      assert.ok(data.usage && data.usage.total_tokens > 0, "usage is reported");
      const sessionId = response.headers.get("x-clinvk-session");
      assert.ok(sessionId, "the session header is set");

      const stream = await openai.chat.completions.create({
        model: backend,
        messages: [{ role: "user", content: [{ type: "text", text: "streamed" }] }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
      assert.equal(text, "ECHO turn=1: streamed");
      assert.equal(chunks[0]?.choices[0]?.delta.role, "assistant");
      assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, "stop");
      const usage = chunks.at(-1)!;
      assert.deepEqual(usage.choices, []);
      assert.ok(usage.usage && usage.usage.total_tokens > 0, "the last chunk carries usage");
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), "other chunks: usage null");

      const sessions = await store.list();
      assert.equal(sessions.length, 2);
      assert.ok(sessions.every((s) => s.backend === backend && s.tags.includes("api")));
      assert.ok(sessions.some((s) => s.id === sessionId));
    });
  });

  Deno.test(`responses.create() answers on ${backend}, streaming and not, with spec event order`, async () => {
    await withServer(async ({ url }) => {
      const openai = client(url);
      const response = await openai.responses.create({ model: backend, input: "hello" });
      assert.equal(response.object, "response");
      assert.equal(response.status, "completed");
      assert.equal(response.output_text, "ECHO turn=1: hello");
      assert.ok(response.usage && response.usage.total_tokens > 0);

      const stream = await openai.responses.create({
        model: backend,
        input: [{ role: "user", content: [{ type: "input_text", text: "streamed" }] }],
        instructions: "Answer briefly.",
        stream: true,
      });
      const events = [];
      for await (const event of stream) events.push(event);
      const types = [...new Set(events.map((e) => e.type))];
      assert.deepEqual(types, [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
      ]);
      assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
      const deltas = events.flatMap((e) =>
        e.type === "response.output_text.delta" ? [e.delta] : []
      );
      const done = events.at(-1);
      assert.ok(done?.type === "response.completed");
      assert.match(deltas.join(""), /^ECHO turn=1: /);
      assert.equal(done.response.output_text ?? deltas.join(""), deltas.join(""));
      assert.equal(done.response.instructions, "Answer briefly.");
    });
  });
}

Deno.test("models.list() and models.retrieve() show the backends and their aliases", async () => {
  await withServer(async ({ url }) => {
    const openai = client(url);
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    assert.deepEqual(ids.slice(0, 4), ["claude", "claude:fast", "claude:balanced", "claude:best"]);
    const fast = await openai.models.retrieve("codex:fast");
    assert.deepEqual([fast.id, fast.object, fast.owned_by], ["codex:fast", "model", "codex"]);
    await assert.rejects(openai.models.retrieve("gpt-4o"), OpenAI.NotFoundError);
  });
});
