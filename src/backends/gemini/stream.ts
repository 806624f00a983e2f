/**
 * Parser of `gemini -o stream-json` output.
 * @module
 */
import { describeApiError } from "../shared/error_text.ts";
import { geminiStreamStats } from "./stats.ts";
import {
  asNonEmptyString,
  asObject,
  asString,
  type JsonObject,
  parseJsonLine,
} from "../shared/json_value.ts";
import type { StreamParser, TokenUsage, TurnResult, UnifiedEvent } from "../types.ts";

type ToolUse = Extract<UnifiedEvent, { type: "tool_use" }>;
type ToolResult = Extract<UnifiedEvent, { type: "tool_result" }>;

/**
 * Turns Gemini's stream events into unified events and collects the turn's result.
 *
 * - `init` carries the session id and the model, which is often `auto`: then the model is
 *   taken from the final stats (see `geminiStreamStats`) and the unified `init` has none.
 * - `message` events with `role: "assistant"` are answer text (deltas); user echoes are
 *   dropped.
 * - `tool_use` / `tool_result` map one to one; `error` events are non-fatal notices.
 * - `result` ends the turn: `status: "error"` is the fatal error, `stats` the usage
 *   (this call only).
 */
export class GeminiStreamParser implements StreamParser {
  #sessionId: string | undefined;
  #model: string | undefined;
  #answer = "";
  #usage: TokenUsage | undefined;
  #error: string | undefined;
  #errorRaw: string | undefined;
  #lastNotice: string | undefined;
  #lastNoticeRaw: string | undefined;
  #sawResult = false;

  /** Whether the final `result` event has been seen. */
  get sawResult(): boolean {
    return this.#sawResult;
  }

  /** Feeds one stdout line; lines that are not JSON objects are ignored. */
  push(line: string): UnifiedEvent[] {
    const event = parseJsonLine(line);
    if (event === undefined) return [];
    switch (event.type) {
      case "init":
        return this.#onInit(event);
      case "message":
        return this.#onMessage(event);
      case "tool_use":
        return [toolUse(event)];
      case "tool_result":
        return [toolResult(event)];
      case "error":
        return this.#onNotice(event);
      case "result":
        return this.#onResult(event);
      default:
        return [];
    }
  }

  /** The turn's result so far. */
  result(): TurnResult {
    const result: TurnResult = { content: this.#answer, usageIsCumulative: false };
    if (this.#sessionId !== undefined) result.backendSessionId = this.#sessionId;
    if (this.#model !== undefined) result.model = this.#model;
    if (this.#usage !== undefined) result.usage = this.#usage;
    const error = this.#error ?? (this.#sawResult ? undefined : this.#lastNotice);
    if (error !== undefined) {
      result.error = error;
      const raw = this.#error !== undefined ? this.#errorRaw : this.#lastNoticeRaw;
      if (raw !== undefined) result.errorRaw = raw;
    }
    return result;
  }

  #onInit(event: JsonObject): UnifiedEvent[] {
    const id = asNonEmptyString(event.session_id);
    const model = asNonEmptyString(event.model);
    if (model !== undefined && model !== "auto") this.#model = model;
    if (id === undefined) return [];
    this.#sessionId = id;
    const init: UnifiedEvent = { type: "init", backend: "gemini", backend_session_id: id };
    if (this.#model !== undefined) init.model = this.#model;
    return [init];
  }

  #onMessage(event: JsonObject): UnifiedEvent[] {
    if (event.role !== "assistant") return [];
    const text = asString(event.content);
    if (!text) return [];
    this.#answer += text;
    return [{ type: "message", text }];
  }

  #onNotice(event: JsonObject): UnifiedEvent[] {
    const message = asString(event.message);
    if (!message) return [];
    this.#lastNotice = describeApiError(message);
    this.#lastNoticeRaw = message;
    return [{ type: "error", message: this.#lastNotice, fatal: false }];
  }

  #onResult(event: JsonObject): UnifiedEvent[] {
    this.#sawResult = true;
    const events: UnifiedEvent[] = [];
    const { usage, model } = geminiStreamStats(event.stats);
    if (this.#model === undefined && model !== undefined) this.#model = model;
    if (usage !== undefined) {
      this.#usage = usage;
      events.push({ type: "usage", usage, cumulative: false });
    }
    if (event.status === "error") {
      const message = asString(asObject(event.error)?.message);
      this.#error = message ? describeApiError(message) : this.#lastNotice ?? "Gemini turn failed";
      this.#errorRaw = message ?? this.#lastNoticeRaw;
      events.push({ type: "error", message: this.#error, fatal: true });
    }
    return events;
  }
}

/** A fresh Gemini stream parser. */
export function createGeminiStreamParser(): GeminiStreamParser {
  return new GeminiStreamParser();
}

function toolUse(event: JsonObject): ToolUse {
  const use: ToolUse = { type: "tool_use", name: asString(event.tool_name) ?? "tool" };
  const id = asNonEmptyString(event.tool_id);
  if (id !== undefined) use.id = id;
  if (event.parameters !== undefined) use.input = event.parameters;
  return use;
}

function toolResult(event: JsonObject): ToolResult {
  const result: ToolResult = { type: "tool_result" };
  const id = asNonEmptyString(event.tool_id);
  if (id !== undefined) result.id = id;
  const failed = event.status === "error";
  if (failed) result.is_error = true;
  const output = event.output ?? (failed ? asObject(event.error)?.message : undefined);
  if (output !== undefined) result.output = output;
  return result;
}
