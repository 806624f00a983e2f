import assert from "node:assert/strict";
import { EventQueue } from "../../src/server/event_queue.ts";
import { sseFrame, textStream, withKeepalive } from "../../src/server/stream_response.ts";

Deno.test("sseFrame() writes named events, plain data and comments as SSE", () => {
  assert.equal(
    sseFrame({ event: "ping", data: '{"type":"ping"}' }),
    'event: ping\ndata: {"type":"ping"}\n\n',
  );
  assert.equal(sseFrame({ data: "[DONE]" }), "data: [DONE]\n\n");
  assert.equal(sseFrame({ data: "a\nb" }), "data: a\ndata: b\n\n");
  assert.equal(sseFrame({ comment: "keep-alive" }), ": keep-alive\n\n");
});

Deno.test("withKeepalive() beats while the source is silent, and passes every item through", async () => {
  const queue = new EventQueue<string>();
  const out: string[] = [];
  const reading = (async () => {
    for await (const item of withKeepalive(queue, () => "beat", 20)) out.push(item);
  })();
  queue.push("a");
  // Until two beats came, however slow a loaded machine makes the timers: a fixed sleep can
  // wake in the same timer phase as the first beat and see only one.
  for (let waited = 0; out.length < 3; waited += 10) {
    assert.ok(waited < 30_000, `no two beats in 30 s: ${JSON.stringify(out)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  queue.push("b");
  queue.close();
  await reading;
  assert.equal(out[0], "a");
  assert.equal(out.at(-1), "b");
  const beats = out.slice(1, -1);
  assert.ok(beats.length >= 2 && beats.every((b) => b === "beat"), JSON.stringify(out));
});

Deno.test("textStream() runs onCancel when the reader cancels before the end", async () => {
  const queue = new EventQueue<string>();
  let cancelled = 0;
  const stream = textStream(queue, () => {
    cancelled++;
    queue.close();
  });
  queue.push("first");
  const reader = stream.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "first");
  await reader.cancel();
  assert.equal(cancelled, 1);
});
