/**
 * Streaming response bodies: Server-Sent Events for the OpenAI and Anthropic APIs, NDJSON for
 * clinvk's REST API. Each chunk is written as soon as the producer yields it; when the client
 * goes away, the body is cancelled and `onCancel` stops the turn behind it.
 * @module
 */

/**
 * One Server-Sent Event; without `event` it is a plain `data:` message (OpenAI chat). A
 * `comment` alone is an SSE comment line, which clients ignore (a keep-alive).
 */
export type SseEvent = { event?: string; data: string } | { comment: string };

/** The wire form of one event (the data is one line of JSON, or `[DONE]`). */
export function sseFrame(event: SseEvent): string {
  if ("comment" in event) return `: ${event.comment}\n\n`;
  const data = event.data.split("\n").map((line) => `data: ${line}\n`).join("");
  return `${event.event ? `event: ${event.event}\n` : ""}${data}\n`;
}

/** How often a silent stream says it is alive (proxies drop idle connections after ~60 s). */
export const KEEPALIVE_MS = 15_000;

/** The SSE comment OpenAI streams use to stay alive while the backend works. */
export const KEEPALIVE_COMMENT: SseEvent = { comment: "keep-alive" };

/**
 * `source`'s items, with `beat()` in between whenever `source` stays silent for `intervalMs`
 * (a long tool run of the backend), so that proxies and clients do not drop the stream.
 */
export async function* withKeepalive<T>(
  source: AsyncIterable<T>,
  beat: () => T,
  intervalMs: number = KEEPALIVE_MS,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    while (true) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const silence = new Promise<"silent">((resolve) => {
        timer = setTimeout(() => resolve("silent"), intervalMs);
      });
      const next = await Promise.race([pending, silence]);
      clearTimeout(timer);
      if (next === "silent") {
        yield beat();
        continue;
      }
      if (next.done) return;
      yield next.value;
      pending = iterator.next();
    }
  } finally {
    await iterator.return?.();
  }
}

/** The headers of an SSE response. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  // Proxies such as nginx buffer responses unless told not to; a stream must not wait.
  "x-accel-buffering": "no",
};

/** The headers of an NDJSON response. */
export const NDJSON_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "application/x-ndjson; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

const encoder = new TextEncoder();

/**
 * A byte stream of the text chunks `chunks` yields. `onCancel` runs when the client
 * disconnects before the end.
 */
export function textStream(
  chunks: AsyncIterable<string>,
  onCancel: () => void,
): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        controller.error(error);
      }
    },
    cancel() {
      onCancel();
      // Not awaited: the producer may be waiting for the turn, which onCancel just stopped.
      iterator.return?.().catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/** A stream of SSE frames of `events`. */
export async function* sseFrames(events: AsyncIterable<SseEvent>): AsyncGenerator<string> {
  for await (const event of events) yield sseFrame(event);
}
