/**
 * The Responses API's `instructions` and `input` as clinvk's {@linkcode ChatMessage}s, and
 * the session a request continues (`previous_response_id` or `conversation`).
 * @module
 */
import { ApiError } from "../api_error.ts";
import { type ChatMessage, contentText } from "../conversation.ts";
import { sessionOfConversation, sessionOfResponseId } from "../ids.ts";
import type { ResponsesBody } from "./responses_schema.ts";

/** Items that carry nothing for the backend (clinvk never returns reasoning items). */
const SKIPPED_ITEMS = new Set(["reasoning", "item_reference"]);

/** The conversation of a request: instructions first, then the input items. */
export function responsesMessages(body: ResponsesBody): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (body.instructions?.trim()) messages.push({ role: "system", text: body.instructions });
  const input = body.input ?? [];
  if (typeof input === "string") return [...messages, { role: "user", text: input }];
  input.forEach((item, index) => {
    const where = `input[${index}]`;
    const type = item.type ?? "message";
    if (SKIPPED_ITEMS.has(type)) return;
    if (type !== "message" || !item.role) {
      throw new ApiError(
        "invalid_request",
        `${where} is a ${type} item, which is not supported: the backend CLI runs its own tools`,
        { param: where, code: "unsupported_input_item" },
      );
    }
    const role = item.role === "system" || item.role === "developer" ? "system" : item.role;
    const types = role === "assistant" ? ["output_text"] : ["input_text"];
    const skip = role === "assistant" ? ["refusal"] : [];
    messages.push({ role, text: contentText(item.content, types, where, skip) });
  });
  return messages;
}

/** The session named by `previous_response_id` or `conversation`, if any. */
export function responsesSession(
  body: ResponsesBody,
  header: string | undefined,
): { id: string; via: string } | undefined {
  const previous = body.previous_response_id ?? undefined;
  const conversation = typeof body.conversation === "string"
    ? body.conversation
    : body.conversation?.id;
  if (previous && conversation) {
    throw new ApiError(
      "invalid_request",
      "previous_response_id and conversation cannot both be given",
      { param: "conversation" },
    );
  }
  const named = previous
    ? fromResponseId(previous)
    : conversation
    ? { id: sessionOfConversation(conversation), via: "conversation" }
    : undefined;
  if (named && header && header !== named.id) {
    throw new ApiError(
      "invalid_request",
      `The X-Clinvk-Session header names session ${header} but ${named.via} names ${named.id}`,
    );
  }
  return named ?? (header ? { id: header, via: "the X-Clinvk-Session header" } : undefined);
}

function fromResponseId(previous: string): { id: string; via: string } {
  const id = sessionOfResponseId(previous);
  if (!id) {
    throw new ApiError(
      "not_found",
      `Response ${previous} has no session to continue (it was an ephemeral run, or is not ` +
        "a response of this server)",
      { param: "previous_response_id", code: "response_not_found" },
    );
  }
  return { id, via: "previous_response_id" };
}
