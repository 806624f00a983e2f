/**
 * The request body of `POST /v1/chat/completions`, as the OpenAI API reference defines it.
 * Only the fields clinvk uses are checked; the others (temperature, tools, …) are accepted and
 * ignored, because the backend CLI chooses its own sampling and runs its own tools.
 * @module
 */
import { z } from "@hono/zod-openapi";

/** One content part; which types clinvk can pass on is checked when the prompt is built. */
const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/** One message of the conversation. */
export const ChatMessageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(ContentPart)]).nullable().optional(),
  name: z.string().optional(),
});

/** `POST /v1/chat/completions`. */
export const ChatCompletionRequest = z.looseObject({
  model: z.string().openapi({
    description:
      "A backend (claude), backend:model (claude:fast) or configured model; GET /v1/models lists them",
    example: "claude",
  }),
  messages: z.array(ChatMessageSchema).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  n: z.number().int().min(1).max(1).nullable().optional().openapi({
    description: "Only 1 is supported",
  }),
}).openapi("ChatCompletionRequest");

/** A parsed chat completion request. */
export type ChatCompletionBody = z.infer<typeof ChatCompletionRequest>;
