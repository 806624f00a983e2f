/**
 * The Responses API's `response` object and its one output message, in the fields and order
 * of the OpenAI API reference.
 * @module
 */
import type { TokenUsage } from "../../backends/types.ts";
import { responsesUsage } from "./usage.ts";

/** What does not change while a response is built. */
export interface ResponseHeader {
  id: string;
  createdAt: number;
  model: string;
  instructions: string | null;
  previousResponseId: string | null;
  /** `conv_<session>` when the request named a conversation. */
  conversation?: string;
  metadata: Record<string, string>;
}

/** How far a response got. */
export type ResponseStatus = "in_progress" | "completed" | "failed";

/** The output message item holding the answer text. */
export function messageItem(
  id: string,
  text: string | undefined,
  status: "in_progress" | "completed",
) {
  return {
    id,
    type: "message",
    status,
    role: "assistant",
    content: text === undefined ? [] : [outputText(text)],
  };
}

/** An `output_text` content part. */
export function outputText(text: string) {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

/** A `response` object. */
export function responseObject(
  header: ResponseHeader,
  status: ResponseStatus,
  options: {
    output?: unknown[];
    usage?: TokenUsage;
    error?: { code: string; message: string };
    completedAt?: number;
  } = {},
) {
  return {
    id: header.id,
    object: "response",
    created_at: header.createdAt,
    status,
    background: false,
    completed_at: options.completedAt ?? null,
    ...(header.conversation ? { conversation: { id: header.conversation } } : {}),
    error: options.error ?? null,
    incomplete_details: null,
    instructions: header.instructions,
    max_output_tokens: null,
    metadata: header.metadata,
    model: header.model,
    output: options.output ?? [],
    parallel_tool_calls: true,
    previous_response_id: header.previousResponseId,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: null,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: null,
    truncation: "disabled",
    usage: options.usage ? responsesUsage(options.usage) : null,
  };
}
