/**
 * OpenAI chat messages as clinvk's protocol-neutral {@linkcode ChatMessage}s.
 * @module
 */
import { ApiError } from "../api_error.ts";
import { type ChatMessage, contentText } from "../conversation.ts";
import type { ChatCompletionBody } from "./chat_schema.ts";

/**
 * `system` and `developer` messages become system text; `user` and `assistant` keep their
 * role. `tool` and `function` messages are refused: the backend runs its own tools.
 */
export function chatMessages(messages: ChatCompletionBody["messages"]): ChatMessage[] {
  return messages.map((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case "system":
      case "developer":
        return { role: "system", text: contentText(message.content, ["text"], where) };
      case "user":
        return { role: "user", text: contentText(message.content, ["text"], where) };
      case "assistant":
        return {
          role: "assistant",
          text: contentText(message.content, ["text"], where, ["refusal"]),
        };
      default:
        throw new ApiError(
          "invalid_request",
          `${where} has role ${message.role}, which is not supported: the backend CLI runs ` +
            "its own tools, so there are no tool calls to answer",
          { param: `${where}.role`, code: "unsupported_role" },
        );
    }
  });
}
