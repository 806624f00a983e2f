/**
 * A turn as a Chat Completions stream: a first chunk with the assistant role, one chunk per
 * piece of text as the backend prints it, a last chunk with `finish_reason: "stop"`, with
 * `stream_options.include_usage` a usage chunk with empty `choices`, then `data: [DONE]`.
 * A failure ends the stream with `data: {"error": …}` (the OpenAI SDKs raise it) and no
 * `[DONE]`.
 * @module
 */
import { answerText } from "../answer_text.ts";
import type { SseEvent } from "../stream_response.ts";
import type { ServerTurn } from "../server_turn.ts";
import { streamOutcome } from "../turn_handler.ts";
import { openAIError } from "./openai_errors.ts";
import { chatUsage } from "./usage.ts";

/** What every chunk of one completion repeats. */
export interface ChunkHeader {
  id: string;
  created: number;
  /** The model of every chunk. */
  model: string;
  includeUsage: boolean;
}

const data = (value: unknown): SseEvent => ({ data: JSON.stringify(value) });

/** The SSE events of `turn` as chat completion chunks. */
export async function* chatChunks(turn: ServerTurn, header: ChunkHeader): AsyncGenerator<SseEvent> {
  const model = header.model;
  let opened = false;
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id: header.id,
    object: "chat.completion.chunk",
    created: header.created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(header.includeUsage ? { usage: null } : {}),
  });
  function* open(): Generator<SseEvent> {
    if (opened) return;
    opened = true;
    yield data(chunk({ role: "assistant", content: "" }, null));
  }
  for await (const text of answerText(turn.events())) {
    yield* open();
    yield data(chunk({ content: text }, null));
  }
  const outcome = await streamOutcome(turn);
  if (outcome.error) {
    yield data(openAIError(outcome.error));
    return;
  }
  yield* open();
  yield data(chunk({}, "stop"));
  if (header.includeUsage) {
    yield data({
      id: header.id,
      object: "chat.completion.chunk",
      created: header.created,
      model,
      choices: [],
      usage: chatUsage(outcome.report.usage),
    });
  }
  yield { data: "[DONE]" };
}
