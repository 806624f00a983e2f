/**
 * From a protocol's message list to what one turn sends. The OpenAI and Anthropic APIs are
 * stateless: clients send the whole conversation every time. clinvk keeps the conversation in
 * the backend's own session, so a turn that continues a session sends only the new turn (the
 * user messages after the last assistant message). A new session whose request already carries
 * earlier messages starts with them, as a clearly marked transcript before the new turn.
 * System and developer messages become the turn's system prompt.
 * @module
 */
import { ApiError } from "./api_error.ts";

/** One message, reduced to its text. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  text: string;
}

/** What a turn sends. */
export interface TurnPrompt {
  prompt: string;
  /** The system and developer messages, joined; absent when there are none. */
  systemPrompt?: string;
}

/**
 * The prompt of a turn from `messages` (oldest first). With `continuing`, only the user
 * messages after the last assistant message are sent: the backend has the rest.
 *
 * @throws {ApiError} 400 when no user message ends the list.
 *
 * @example
 * ```ts
 * turnPrompt([
 *   { role: "system", text: "Be brief." },
 *   { role: "user", text: "Hi" },
 *   { role: "assistant", text: "Hello!" },
 *   { role: "user", text: "Add a test" },
 * ], true); // { prompt: "Add a test", systemPrompt: "Be brief." }
 * ```
 */
export function turnPrompt(messages: readonly ChatMessage[], continuing: boolean): TurnPrompt {
  const system = messages.filter((m) => m.role === "system").map((m) => m.text.trim())
    .filter(Boolean);
  const dialogue = messages.filter((m) => m.role !== "system");
  let start = dialogue.length;
  while (start > 0 && dialogue[start - 1]!.role === "user") start--;
  const latest = dialogue.slice(start).map((m) => m.text.trim()).filter(Boolean);
  if (latest.length === 0) {
    throw new ApiError(
      "invalid_request",
      "The conversation must end with a user message that has text",
      { param: "messages" },
    );
  }
  const history = continuing ? [] : dialogue.slice(0, start).filter((m) => m.text.trim());
  const parts: string[] = [];
  if (history.length > 0) {
    parts.push(
      "[Conversation so far]",
      ...history.map((m) => `${m.role === "user" ? "User" : "Assistant"}: ${m.text.trim()}`),
      "[End of conversation so far]",
      "",
    );
  }
  parts.push(latest.join("\n\n"));
  const prompt = parts.join("\n");
  return system.length > 0 ? { prompt, systemPrompt: system.join("\n\n") } : { prompt };
}

/** One content part of a message, as the protocols send it. */
export interface ContentPart {
  type: string;
  text?: string;
}

/**
 * The text of a message's content: a string, or the text of its parts of `textTypes` joined
 * by newlines; parts of `skipTypes` are dropped (e.g. earlier thinking). Any other part is a
 * 400: the backend CLIs take text only.
 */
export function contentText(
  content: string | readonly ContentPart[] | null | undefined,
  textTypes: readonly string[],
  where: string,
  skipTypes: readonly string[] = [],
): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  const texts: string[] = [];
  for (const part of content) {
    if (textTypes.includes(part.type)) texts.push(part.text ?? "");
    else if (!skipTypes.includes(part.type)) {
      throw new ApiError(
        "invalid_request",
        `Content of type ${part.type} in ${where} is not supported: clinvk passes text to the ` +
          "backend CLI (name files in the workdir instead)",
        { code: "unsupported_content" },
      );
    }
  }
  return texts.join("\n");
}
