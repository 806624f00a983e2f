/**
 * A turn as a Responses API stream, event for event as the OpenAI API sends a text answer:
 * `response.created`, `response.in_progress`, `response.output_item.added`,
 * `response.content_part.added`, `response.output_text.delta` per piece of text,
 * `response.output_text.done`, `response.content_part.done`, `response.output_item.done`,
 * `response.completed` — each with its `sequence_number`. A failure ends the stream with
 * `response.failed`, whose `response.error` says what went wrong.
 * @module
 */
import { answerText } from "../answer_text.ts";
import type { SseEvent } from "../stream_response.ts";
import type { ServerTurn } from "../server_turn.ts";
import { streamOutcome } from "../turn_handler.ts";
import { openAIError } from "./openai_errors.ts";
import { messageItem, outputText, type ResponseHeader, responseObject } from "./response_object.ts";

/** The SSE events of `turn` as Responses API events. */
export async function* responseEvents(
  turn: ServerTurn,
  header: ResponseHeader,
  itemId: string,
  now: () => number,
): AsyncGenerator<SseEvent> {
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...fields }),
  });
  const part = { item_id: itemId, output_index: 0, content_index: 0 };
  yield event("response.created", { response: responseObject(header, "in_progress") });
  yield event("response.in_progress", { response: responseObject(header, "in_progress") });
  let opened = false;
  let text = "";
  function* open(): Generator<SseEvent> {
    if (opened) return;
    opened = true;
    yield event("response.output_item.added", {
      output_index: 0,
      item: messageItem(itemId, undefined, "in_progress"),
    });
    yield event("response.content_part.added", { ...part, part: outputText("") });
  }
  for await (const delta of answerText(turn.events())) {
    yield* open();
    text += delta;
    yield event("response.output_text.delta", { ...part, delta, logprobs: [] });
  }
  const outcome = await streamOutcome(turn);
  if (outcome.error) {
    const { error } = openAIError(outcome.error);
    yield event("response.failed", {
      response: responseObject(header, "failed", {
        output: opened ? [messageItem(itemId, text, "in_progress")] : [],
        error: { code: error.code ?? "server_error", message: error.message },
      }),
    });
    return;
  }
  yield* open();
  yield event("response.output_text.done", { ...part, text, logprobs: [] });
  yield event("response.content_part.done", { ...part, part: outputText(text) });
  const item = messageItem(itemId, text, "completed");
  yield event("response.output_item.done", { output_index: 0, item });
  yield event("response.completed", {
    response: responseObject(header, "completed", {
      output: [item],
      usage: outcome.report.usage,
      completedAt: Math.floor(now() / 1000),
    }),
  });
}
