/**
 * The request body of `POST /v1/responses`, as the OpenAI API reference defines it. Only the
 * fields clinvk uses are checked; the others (tools, reasoning, temperature, …) are accepted
 * and ignored.
 * @module
 */
import { z } from "@hono/zod-openapi";

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/** One input item: a message (with or without `type: "message"`) or another item type. */
const InputItem = z.looseObject({
  type: z.string().optional(),
  role: z.enum(["user", "assistant", "system", "developer"]).optional(),
  content: z.union([z.string(), z.array(ContentPart)]).optional(),
});

/** `POST /v1/responses`. */
export const ResponsesRequest = z.looseObject({
  model: z.string().optional().openapi({
    description: "A backend (codex), backend:model (codex:fast) or configured model",
    example: "codex",
  }),
  input: z.union([z.string(), z.array(InputItem)]).optional(),
  instructions: z.string().nullable().optional(),
  previous_response_id: z.string().nullable().optional().openapi({
    description: "Continue the clinvk session of this response",
  }),
  conversation: z.union([z.string(), z.looseObject({ id: z.string() })]).nullable().optional()
    .openapi({ description: "conv_<session id> (or a session id): continue that session" }),
  stream: z.boolean().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
}).openapi("ResponsesRequest");

/** A parsed Responses API request. */
export type ResponsesBody = z.infer<typeof ResponsesRequest>;
