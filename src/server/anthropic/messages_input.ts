/**
 * Anthropic's `system` and `messages` as clinvk's {@linkcode ChatMessage}s.
 * @module
 */
import { type ChatMessage, contentText } from "../conversation.ts";
import type { CountTokensBody } from "./messages_schema.ts";

/** Earlier thinking blocks carry nothing the backend needs. */
const SKIPPED_BLOCKS = ["thinking", "redacted_thinking"];

/** The conversation of a Messages (or count_tokens) request: system first, then messages. */
export function anthropicMessages(
  body: Pick<CountTokensBody, "system" | "messages">,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const system = typeof body.system === "string"
    ? body.system
    : (body.system ?? []).map((block) => block.text).join("\n\n");
  if (system.trim()) messages.push({ role: "system", text: system });
  body.messages.forEach((message, index) => {
    messages.push({
      role: message.role,
      text: contentText(message.content, ["text"], `messages[${index}]`, SKIPPED_BLOCKS),
    });
  });
  return messages;
}
