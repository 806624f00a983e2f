/**
 * The text of a turn as the protocol streams show it. A backend that works with tools says
 * something, calls a tool, then says more (Claude's text blocks around a tool call, Codex's
 * agent messages between command runs): each of those is its own message, and their pieces
 * would run together ("Let me look.Found a.") if streamed back to back. A message that follows
 * a tool call or thinking starts with a blank line.
 * @module
 */
import type { UnifiedEvent } from "../backends/types.ts";

/** What separates the text before a tool call from the text after it. */
export const MESSAGE_SEPARATOR = "\n\n";

/**
 * The pieces of answer text in `events`, in order, as they arrive.
 *
 * @example
 * ```ts
 * import { answerText } from "./answer_text.ts";
 * const events = [
 *   { type: "message", text: "Let me look." },
 *   { type: "tool_use", name: "ls" },
 *   { type: "message", text: "Found a." },
 * ] as const;
 * await Array.fromAsync(answerText(events)); // ["Let me look.", "\n\nFound a."]
 * ```
 */
export async function* answerText(
  events: AsyncIterable<UnifiedEvent> | Iterable<UnifiedEvent>,
): AsyncGenerator<string> {
  let wrote = false;
  let afterTool = false;
  for await (const event of events) {
    if (event.type === "message") {
      if (event.text === "") continue;
      yield wrote && afterTool ? MESSAGE_SEPARATOR + event.text : event.text;
      wrote = true;
      afterTool = false;
    } else if (
      event.type === "tool_use" || event.type === "tool_result" || event.type === "thinking"
    ) {
      afterTool = true;
    }
  }
}
