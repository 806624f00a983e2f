/**
 * The request bodies of `POST /v1/messages` and `POST /v1/messages/count_tokens`, as the
 * Anthropic API reference defines them. Only the fields clinvk uses are checked; the others
 * (temperature, tools, thinking, …) are accepted and ignored.
 * @module
 */
import { z } from "@hono/zod-openapi";

const ContentBlock = z.looseObject({ type: z.string(), text: z.string().optional() });

const Message = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(ContentBlock)]),
});

const System = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.literal("text"), text: z.string() })),
]);

/** `POST /v1/messages/count_tokens`. */
export const CountTokensRequest = z.looseObject({
  model: z.string().openapi({ example: "claude" }),
  messages: z.array(Message).min(1),
  system: System.optional(),
}).openapi("CountTokensRequest");

/** `POST /v1/messages`. */
export const MessagesRequest = z.looseObject({
  model: z.string().openapi({
    description: "A backend (claude), backend:model (claude:fast) or configured model",
    example: "claude",
  }),
  max_tokens: z.number().int().positive().openapi({
    description: "Required by the API; the backend CLI decides the answer's length",
  }),
  messages: z.array(Message).min(1),
  system: System.optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({
    user_id: z.string().nullable().optional(),
    session_id: z.string().optional().openapi({ description: "Continue this clinvk session" }),
  }).optional(),
}).openapi("MessagesRequest");

/** A parsed Messages request. */
export type MessagesBody = z.infer<typeof MessagesRequest>;
/** A parsed token-count request. */
export type CountTokensBody = z.infer<typeof CountTokensRequest>;
