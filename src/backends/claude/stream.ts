/**
 * Parser of Claude Code's `--output-format stream-json --verbose` output (and, message by
 * message, of its one-shot JSON result).
 * @module
 */
import {
  asArray,
  asNonEmptyString,
  asObject,
  asString,
  type JsonObject,
  parseJsonLine,
} from "../shared/json_value.ts";
import { claudeModelName, claudeUsage, modelFromModelUsage } from "./fields.ts";
import { oneLine } from "../shared/error_text.ts";
import type { StreamParser, TokenUsage, TurnResult, UnifiedEvent } from "../types.ts";

/**
 * Turns Claude's stream messages into unified events and collects the turn's result.
 *
 * - `system/init` carries the session id and model; other `system` messages are ignored.
 * - `stream_event` deltas (only with `--include-partial-messages`) are emitted as they come;
 *   the complete `assistant` message that follows repeats their text, so its text and
 *   thinking blocks are then not emitted again (matched by message id).
 * - Text of sub-agents (messages with a `parent_tool_use_id`) is not part of the answer and
 *   is not emitted; their tool calls are.
 * - An `assistant` message carrying an `error` field is Claude's synthetic error notice; its
 *   text is the error, not an answer.
 * - `result` holds the final answer, usage and `is_error` (its `subtype` stays `"success"`
 *   even on API errors, so only `is_error` is trusted).
 */
export class ClaudeStreamParser implements StreamParser {
  #sessionId: string | undefined;
  #model: string | undefined;
  #initSent = false;
  #finalText: string | undefined;
  #lastAnswer: string | undefined;
  #usage: TokenUsage | undefined;
  #error: string | undefined;
  #errorRaw: string | undefined;
  #errorStatus: number | undefined;
  #syntheticError: string | undefined;
  #currentMessageId: string | undefined;
  #streamedIds = new Set<string>();
  #streamedWithoutId = false;
  #sawResult = false;

  /** Whether the final `result` message has been seen. */
  get sawResult(): boolean {
    return this.#sawResult;
  }

  /** Feeds one stdout line; lines that are not JSON objects are ignored. */
  push(line: string): UnifiedEvent[] {
    const message = parseJsonLine(line);
    return message === undefined ? [] : this.pushMessage(message);
  }

  /** Feeds one already-parsed message. */
  pushMessage(message: JsonObject): UnifiedEvent[] {
    switch (message.type) {
      case "system":
        return this.#onSystem(message);
      case "stream_event":
        return this.#onStreamEvent(message);
      case "assistant":
        return this.#onAssistant(message);
      case "user":
        return this.#onUser(message);
      case "result":
        return this.#onResult(message);
      default:
        return [];
    }
  }

  /** The turn's result so far. */
  result(): TurnResult {
    const result: TurnResult = {
      content: this.#finalText ?? this.#lastAnswer ?? "",
      usageIsCumulative: false,
    };
    if (this.#sessionId !== undefined) result.backendSessionId = this.#sessionId;
    if (this.#model !== undefined) result.model = this.#model;
    if (this.#usage !== undefined) result.usage = this.#usage;
    const error = this.#error ?? (this.#sawResult ? undefined : this.#syntheticError);
    if (error !== undefined) {
      result.error = error;
      if (this.#errorRaw !== undefined) result.errorRaw = this.#errorRaw;
      if (this.#errorStatus !== undefined) result.errorStatus = this.#errorStatus;
    }
    return result;
  }

  #onSystem(message: JsonObject): UnifiedEvent[] {
    if (message.subtype !== "init") return [];
    const id = asNonEmptyString(message.session_id);
    const model = asNonEmptyString(message.model);
    if (model !== undefined) this.#model = claudeModelName(model);
    if (id === undefined) return [];
    this.#sessionId = id;
    return this.#init();
  }

  #init(): UnifiedEvent[] {
    if (this.#initSent || this.#sessionId === undefined) return [];
    this.#initSent = true;
    const event: UnifiedEvent = {
      type: "init",
      backend: "claude",
      backend_session_id: this.#sessionId,
    };
    if (this.#model !== undefined) event.model = this.#model;
    return [event];
  }

  #onStreamEvent(message: JsonObject): UnifiedEvent[] {
    const event = asObject(message.event);
    if (event === undefined) return [];
    if (event.type === "message_start") {
      this.#currentMessageId = asNonEmptyString(asObject(event.message)?.id);
      return [];
    }
    if (event.type !== "content_block_delta" || isSubAgent(message)) return [];
    const delta = asObject(event.delta);
    if (delta?.type === "text_delta") {
      const text = asString(delta.text);
      if (!text) return [];
      this.#markStreamed();
      return [{ type: "message", text }];
    }
    if (delta?.type === "thinking_delta") {
      const text = asString(delta.thinking);
      if (!text) return [];
      this.#markStreamed();
      return [{ type: "thinking", text }];
    }
    return [];
  }

  #markStreamed(): void {
    if (this.#currentMessageId === undefined) this.#streamedWithoutId = true;
    else this.#streamedIds.add(this.#currentMessageId);
  }

  #onAssistant(message: JsonObject): UnifiedEvent[] {
    const body = asObject(message.message);
    const blocks = asArray(body?.content) ?? [];
    const texts = blocks.map((b) => asObject(b))
      .filter((b) => b?.type === "text")
      .map((b) => asString(b?.text) ?? "");
    if (message.error !== undefined && message.error !== null) {
      this.#syntheticError = oneLine(texts.join(" ")) || oneLine(String(message.error));
      // Claude's own error kind ("server_error", "authentication_failed", …) helps classify.
      this.#errorRaw ??= `${String(message.error)}: ${texts.join(" ")}`;
      return [];
    }
    const id = asNonEmptyString(body?.id);
    const streamed = id === undefined ? this.#streamedWithoutId : this.#streamedIds.has(id);
    if (id === undefined) this.#streamedWithoutId = false;
    const subAgent = isSubAgent(message);
    if (!subAgent && texts.length > 0) this.#lastAnswer = texts.join("");
    const events: UnifiedEvent[] = [];
    for (const raw of blocks) {
      const block = asObject(raw);
      if (block === undefined) continue;
      if (block.type === "text" && !streamed && !subAgent) {
        const text = asString(block.text);
        if (text) events.push({ type: "message", text });
      } else if (block.type === "thinking" && !streamed && !subAgent) {
        const text = asString(block.thinking);
        if (text) events.push({ type: "thinking", text });
      } else if (block.type === "tool_use" || block.type === "server_tool_use") {
        const event: UnifiedEvent = { type: "tool_use", name: asString(block.name) ?? "tool" };
        const toolId = asNonEmptyString(block.id);
        if (toolId !== undefined) event.id = toolId;
        if (block.input !== undefined) event.input = block.input;
        events.push(event);
      }
    }
    return events;
  }

  #onUser(message: JsonObject): UnifiedEvent[] {
    const blocks = asArray(asObject(message.message)?.content) ?? [];
    const events: UnifiedEvent[] = [];
    for (const raw of blocks) {
      const block = asObject(raw);
      if (block?.type !== "tool_result") continue;
      const event: UnifiedEvent = { type: "tool_result" };
      const toolId = asNonEmptyString(block.tool_use_id);
      if (toolId !== undefined) event.id = toolId;
      if (block.content !== undefined) event.output = toolOutput(block.content);
      if (block.is_error === true) event.is_error = true;
      events.push(event);
    }
    return events;
  }

  #onResult(message: JsonObject): UnifiedEvent[] {
    this.#sawResult = true;
    const events: UnifiedEvent[] = [];
    const id = asNonEmptyString(message.session_id);
    if (id !== undefined) {
      this.#sessionId ??= id;
      events.push(...this.#init());
    }
    this.#model ??= modelFromModelUsage(message.modelUsage);
    const usage = claudeUsage(message.usage);
    if (usage !== undefined) {
      this.#usage = usage;
      events.push({ type: "usage", usage, cumulative: false });
    }
    const text = asString(message.result);
    const failed = message.is_error === true ||
      (typeof message.subtype === "string" && message.subtype.startsWith("error"));
    if (failed) {
      // On failure `result` is the error message, not an answer.
      this.#finalText = "";
      this.#error = resultError(message, text);
      this.#errorRaw = [asString(this.#errorRaw), text].filter(Boolean).join(" | ") || undefined;
      const status = message.api_error_status;
      if (typeof status === "number") this.#errorStatus = status;
      events.push({ type: "error", message: this.#error, fatal: true });
    } else {
      this.#finalText = text ?? this.#lastAnswer ?? "";
    }
    return events;
  }
}

/** A fresh Claude stream parser. */
export function createClaudeStreamParser(): ClaudeStreamParser {
  return new ClaudeStreamParser();
}

function isSubAgent(message: JsonObject): boolean {
  return typeof message.parent_tool_use_id === "string" && message.parent_tool_use_id !== "";
}

/** A tool result's content as text when it is only text blocks, else as given. */
function toolOutput(content: unknown): unknown {
  const blocks = asArray(content);
  if (blocks === undefined) return content;
  const texts = blocks.map((b) => asObject(b));
  if (!texts.every((b) => b?.type === "text" && typeof b.text === "string")) return content;
  return texts.map((b) => b?.text as string).join("\n");
}

function resultError(message: JsonObject, text: string | undefined): string {
  if (text !== undefined && text.trim() !== "") return oneLine(text);
  const errors = (asArray(message.errors) ?? []).filter((e) => typeof e === "string");
  if (errors.length > 0) return oneLine(errors.join("; "));
  const status = message.api_error_status;
  if (typeof status === "number") return `Claude Code failed with API error ${status}`;
  return `Claude Code failed (${asString(message.subtype) ?? "unknown error"})`;
}
