/**
 * Streaming response bodies: Server-Sent Events for the OpenAI and Anthropic APIs, NDJSON for
 * clinvk's REST API. Each chunk is written as soon as the producer yields it; when the client
 * goes away, the body is cancelled and `onCancel` stops the turn behind it.
 * @module
 */

/** One Server-Sent Event; without `event` it is a plain `data:` message (OpenAI chat). */
export interface SseEvent {
  event?: string;
  data: string;
}

/** The wire form of one event (the data is one line of JSON, or `[DONE]`). */
export function sseFrame(event: SseEvent): string {
  const data = event.data.split("\n").map((line) => `data: ${line}\n`).join("");
  return `${event.event ? `event: ${event.event}\n` : ""}${data}\n`;
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
