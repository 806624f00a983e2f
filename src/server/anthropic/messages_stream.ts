/**
 * A turn as an Anthropic Messages stream, with the full event sequence the Anthropic API sends:
 * `message_start`, `content_block_start`, `ping`, a `content_block_delta` per piece of text,
 * `content_block_stop`, `message_delta` (stop reason and usage), `message_stop`. A failure ends
 * the stream with an `error` event (the Anthropic SDKs raise it).
 * @module
 */
import { answerText } from "../answer_text.ts";
import type { SseEvent } from "../stream_response.ts";
import type { ServerTurn } from "../server_turn.ts";
import { streamOutcome } from "../turn_handler.ts";
import { anthropicError } from "./anthropic_errors.ts";
import { anthropicUsage } from "./usage.ts";

const event = (type: string, fields: Record<string, unknown> = {}): SseEvent => ({
  event: type,
  data: JSON.stringify({ type, ...fields }),
});

/** Anthropic's keep-alive, sent while a stream is silent. */
export function ping(): SseEvent {
  return event("ping");
}

/** The SSE events of `turn` as a Messages stream. */
export async function* messageEvents(
  turn: ServerTurn,
  message: { id: string; model: string },
  requestId: string,
): AsyncGenerator<SseEvent> {
  // Usage is known only when the backend finishes; message_delta carries the real counts.
  yield event("message_start", {
    message: {
      id: message.id,
      type: "message",
      role: "assistant",
      model: message.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  });
  yield event("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
  yield event("ping");
  for await (const text of answerText(turn.events())) {
    yield event("content_block_delta", { index: 0, delta: { type: "text_delta", text } });
  }
  const outcome = await streamOutcome(turn);
  if (outcome.error) {
    const { type: _type, ...body } = anthropicError(outcome.error, requestId);
    yield event("error", body);
    return;
  }
  yield event("content_block_stop", { index: 0 });
  yield event("message_delta", {
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: anthropicUsage(outcome.report.usage),
  });
  yield event("message_stop");
}
