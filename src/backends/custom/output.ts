/**
 * Reading a custom backend's stdout as its config describes: JSON lines read as they arrive, one
 * JSON document read at the end, or plain text — with JSON paths to the session id, answer,
 * model, error and token counts.
 * @module
 */
import type { CustomOutputConfig } from "../../config/schema.ts";
import { parseJsonLine } from "../shared/json_value.ts";
import { oneLine } from "../shared/error_text.ts";
import { makeUsage } from "../shared/usage.ts";
import type { StreamParser, TokenUsage, TurnResult, UnifiedEvent } from "../types.ts";
import { valueAt } from "./json_path.ts";

/** A parser of one custom backend's output. `name` goes into the `init` event. */
export function createCustomParser(name: string, output: CustomOutputConfig): StreamParser {
  return new CustomParser(name, output);
}

class CustomParser implements StreamParser {
  #sessionId: string | undefined;
  #model: string | undefined;
  #texts: string[] = [];
  #usage: TokenUsage | undefined;
  #error: string | undefined;
  #document = "";

  constructor(readonly name: string, readonly output: CustomOutputConfig) {}

  push(line: string): UnifiedEvent[] {
    const format = this.output.format ?? "text";
    if (format === "jsonl") {
      const object = parseJsonLine(line);
      return object === undefined ? [] : this.#read(object);
    }
    // A document or text is complete only when the output ends.
    this.#document += line + "\n";
    return [];
  }

  end(): UnifiedEvent[] {
    const format = this.output.format ?? "text";
    if (format === "text") {
      const text = this.#document.replace(/\n$/, "");
      if (text === "") return [];
      this.#texts.push(text);
      return [{ type: "message", text }];
    }
    if (format !== "json") return [];
    try {
      return this.#read(JSON.parse(this.#document));
    } catch {
      this.#error ??= `${this.name} printed no JSON document`;
      return [];
    }
  }

  result(): TurnResult {
    const concat = this.output.text_mode === "concat";
    const result: TurnResult = {
      content: concat ? this.#texts.join("") : this.#texts.at(-1) ?? "",
      usageIsCumulative: this.output.usage_cumulative === true,
    };
    if (this.#sessionId !== undefined) result.backendSessionId = this.#sessionId;
    if (this.#model !== undefined) result.model = this.#model;
    if (this.#usage !== undefined) result.usage = this.#usage;
    if (this.#error !== undefined) result.error = this.#error;
    return result;
  }

  #read(object: unknown): UnifiedEvent[] {
    const events: UnifiedEvent[] = [];
    const string = (path: string | undefined) => {
      if (path === undefined) return undefined;
      const value = valueAt(object, path);
      return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
    };
    const model = string(this.output.model);
    if (model) this.#model = model;
    const id = string(this.output.session_id);
    if (id && this.#sessionId === undefined) {
      this.#sessionId = id;
      const init: UnifiedEvent = { type: "init", backend: this.name, backend_session_id: id };
      if (this.#model) init.model = this.#model;
      events.push(init);
    }
    const text = string(this.output.text);
    if (text) {
      this.#texts.push(text);
      events.push({ type: "message", text });
    }
    const usage = this.#readUsage(object);
    if (usage) {
      this.#usage = usage;
      events.push({ type: "usage", usage, cumulative: this.output.usage_cumulative === true });
    }
    const error = string(this.output.error);
    if (error) {
      this.#error = oneLine(error);
      events.push({ type: "error", message: this.#error, fatal: true });
    }
    return events;
  }

  #readUsage(object: unknown): TokenUsage | undefined {
    const paths = this.output.usage;
    if (!paths) return undefined;
    const count = (path: string | undefined) => {
      const value = path === undefined ? undefined : valueAt(object, path);
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    };
    const input = count(paths.input);
    const output = count(paths.output);
    if (input === undefined && output === undefined) return undefined;
    return makeUsage({ input: input ?? 0, output: output ?? 0, cached: count(paths.cached) ?? 0 });
  }
}
