/**
 * Parser of `codex exec --json` output: JSON lines, the same for streaming and one-shot runs.
 * @module
 */
import { describeApiError } from "../shared/error_text.ts";
import {
  asCount,
  asNonEmptyString,
  asNumber,
  asObject,
  asString,
  type JsonObject,
  parseJsonLine,
} from "../shared/json_value.ts";
import type { StreamParser, TokenUsage, TurnResult, UnifiedEvent } from "../types.ts";
import { makeUsage } from "../shared/usage.ts";

type ToolUse = Extract<UnifiedEvent, { type: "tool_use" }>;
type ToolResult = Extract<UnifiedEvent, { type: "tool_result" }>;

/**
 * clinvk's usage from `turn.completed.usage`. Codex's `input_tokens` already includes the
 * cached ones. The counts are cumulative over the whole thread (earlier runs included).
 */
export function codexUsage(usage: unknown): TokenUsage | undefined {
  const u = asObject(usage);
  if (u === undefined) return undefined;
  return makeUsage({
    input: asCount(u.input_tokens),
    output: asCount(u.output_tokens),
    cached: asCount(u.cached_input_tokens),
  });
}

/**
 * Turns Codex's events into unified events and collects the turn's result.
 *
 * - `thread.started.thread_id` is the session id. Codex never reports the model.
 * - `item.completed` of type `agent_message` is answer text (the answer is the last one),
 *   `reasoning` is thinking, `error` is a warning (non-fatal); command executions, file
 *   changes, MCP tool calls and web searches become tool_use / tool_result.
 * - A top-level `error` event is a non-fatal notice (Codex also uses it for "Reconnecting…");
 *   `turn.failed` is the fatal error. A turn that ends without `turn.completed` or
 *   `turn.failed` reports the last notice as its error.
 * - `turn.completed.usage` is cumulative: `usageIsCumulative` is always true.
 */
export class CodexStreamParser implements StreamParser {
  #threadId: string | undefined;
  #answer: string | undefined;
  #usage: TokenUsage | undefined;
  #failure: string | undefined;
  #failureRaw: string | undefined;
  #lastNotice: string | undefined;
  #lastNoticeRaw: string | undefined;
  #completed = false;
  #started = new Set<string>();
  #sawEvent = false;
  #held: UnifiedEvent | undefined;

  /** Whether any Codex event has been seen (stdout is empty when Codex fails at start-up). */
  get sawEvent(): boolean {
    return this.#sawEvent;
  }

  /** Whether the turn ended with `turn.completed` or `turn.failed`. */
  get finished(): boolean {
    return this.#completed || this.#failure !== undefined;
  }

  /**
   * Feeds one stdout line; lines that are not JSON objects are ignored. A top-level `error`
   * notice is held back until the next event: Codex repeats its final error as `turn.failed`,
   * and that one is the fatal error (one error, not two).
   */
  push(line: string): UnifiedEvent[] {
    const event = parseJsonLine(line);
    if (event === undefined || typeof event.type !== "string") return [];
    this.#sawEvent = true;
    const held = this.#held;
    this.#held = undefined;
    const events = this.#onEvent(event);
    if (held === undefined) return events;
    const repeated = event.type === "turn.failed" &&
      events.some((e) => e.type === "error" && held.type === "error" && e.message === held.message);
    return repeated ? events : [held, ...events];
  }

  /** The notice still held back when the output ended. */
  end(): UnifiedEvent[] {
    const held = this.#held;
    this.#held = undefined;
    return held === undefined ? [] : [held];
  }

  #onEvent(event: JsonObject): UnifiedEvent[] {
    switch (event.type) {
      case "thread.started":
        return this.#onThreadStarted(event);
      case "item.started":
        return this.#onItemStarted(asObject(event.item));
      case "item.completed":
        return this.#onItemCompleted(asObject(event.item));
      case "turn.completed":
        return this.#onTurnCompleted(event);
      case "turn.failed":
        return this.#onTurnFailed(event);
      case "error":
        this.#held = this.#onNotice(event)[0];
        return [];
      default:
        return [];
    }
  }

  /** The turn's result so far. */
  result(): TurnResult {
    const result: TurnResult = { content: this.#answer ?? "", usageIsCumulative: true };
    if (this.#threadId !== undefined) result.backendSessionId = this.#threadId;
    if (this.#usage !== undefined) result.usage = this.#usage;
    const failed = this.#failure !== undefined;
    const error = this.#failure ?? (this.#completed ? undefined : this.#lastNotice);
    if (error !== undefined) {
      result.error = error;
      const raw = failed ? this.#failureRaw : this.#lastNoticeRaw;
      if (raw !== undefined) result.errorRaw = raw;
    }
    return result;
  }

  #onThreadStarted(event: JsonObject): UnifiedEvent[] {
    const id = asNonEmptyString(event.thread_id);
    if (id === undefined) return [];
    this.#threadId = id;
    return [{ type: "init", backend: "codex", backend_session_id: id }];
  }

  #onItemStarted(item: JsonObject | undefined): UnifiedEvent[] {
    const use = item === undefined ? undefined : toolUse(item);
    if (use === undefined) return [];
    if (use.id !== undefined) this.#started.add(use.id);
    return [use];
  }

  #onItemCompleted(item: JsonObject | undefined): UnifiedEvent[] {
    if (item === undefined) return [];
    const text = asString(item.text);
    switch (item.type) {
      case "agent_message":
        if (text === undefined) return [];
        this.#answer = text;
        return text === "" ? [] : [{ type: "message", text }];
      case "reasoning":
        return text ? [{ type: "thinking", text }] : [];
      case "error":
        return [{
          type: "error",
          message: describeApiError(asString(item.message) ?? "Codex warning"),
          fatal: false,
        }];
    }
    const use = toolUse(item);
    if (use === undefined) return [];
    const events: UnifiedEvent[] = [];
    // Items that were announced by item.started already produced their tool_use.
    if (use.id === undefined || !this.#started.has(use.id)) events.push(use);
    const result = toolResult(item);
    if (result !== undefined) events.push(result);
    return events;
  }

  #onTurnCompleted(event: JsonObject): UnifiedEvent[] {
    this.#completed = true;
    const usage = codexUsage(event.usage);
    if (usage === undefined) return [];
    this.#usage = usage;
    return [{ type: "usage", usage, cumulative: true }];
  }

  #onTurnFailed(event: JsonObject): UnifiedEvent[] {
    const raw = asString(asObject(event.error)?.message);
    this.#failure = raw ? describeApiError(raw) : this.#lastNotice ?? "Codex turn failed";
    this.#failureRaw = raw ?? this.#lastNoticeRaw;
    return [{ type: "error", message: this.#failure, fatal: true }];
  }

  #onNotice(event: JsonObject): UnifiedEvent[] {
    const raw = asString(event.message);
    if (!raw) return [];
    this.#lastNotice = describeApiError(raw);
    this.#lastNoticeRaw = raw;
    return [{ type: "error", message: this.#lastNotice, fatal: false }];
  }
}

/** The tool call an item stands for, or `undefined` for items that are not tool calls. */
function toolUse(item: JsonObject): ToolUse | undefined {
  const id = asNonEmptyString(item.id);
  let use: ToolUse;
  switch (item.type) {
    case "command_execution":
      use = { type: "tool_use", name: "command_execution", input: { command: item.command } };
      break;
    case "file_change":
      use = { type: "tool_use", name: "file_change", input: { changes: item.changes } };
      break;
    case "mcp_tool_call": {
      const server = asString(item.server);
      const tool = asString(item.tool) ?? "tool";
      use = { type: "tool_use", name: server ? `${server}.${tool}` : tool };
      if (item.arguments !== undefined) use.input = item.arguments;
      break;
    }
    case "web_search":
      use = { type: "tool_use", name: "web_search", input: { query: item.query } };
      break;
    default:
      return undefined;
  }
  if (id !== undefined) use.id = id;
  return use;
}

/** The outcome of a completed tool item (web searches report none). */
function toolResult(item: JsonObject): ToolResult | undefined {
  if (item.type === "web_search") return undefined;
  const result: ToolResult = { type: "tool_result" };
  const id = asNonEmptyString(item.id);
  if (id !== undefined) result.id = id;
  const exitCode = asNumber(item.exit_code);
  const failed = item.status === "failed" || item.status === "declined" ||
    (exitCode !== undefined && exitCode !== 0) || (item.error !== undefined && item.error !== null);
  if (failed) result.is_error = true;
  const output = item.type === "command_execution"
    ? item.aggregated_output
    : item.type === "mcp_tool_call"
    ? (item.result ?? item.error)
    : item.status;
  if (output !== undefined && output !== null) result.output = output;
  return result;
}

/** A fresh Codex stream parser. */
export function createCodexStreamParser(): CodexStreamParser {
  return new CodexStreamParser();
}
