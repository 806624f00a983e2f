/**
 * Renders the outcome of a turn: the `json` object and the `stream-json` lines of SPEC §8, and
 * the optional text footer. Pure functions of data.
 * @module
 */
import type { BackendName, TokenUsage, UnifiedEvent } from "../backends/types.ts";
import type { SessionStatus } from "../sessions/record.ts";

/** Everything the renderers need about a finished turn (a part of the engine's `TurnReport`). */
export interface TurnReport {
  /** clinvk session id; absent with `--ephemeral`. */
  sessionId?: string;
  backend: BackendName;
  backendSessionId: string | null;
  model: string | null;
  status: SessionStatus | "ephemeral" | "dry-run";
  content: string;
  exitCode: number;
  durationSeconds: number;
  usage: TokenUsage;
  error?: string;
}

/** The `-o json` object. */
export function turnJson(report: TurnReport): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (report.sessionId) json.session_id = report.sessionId;
  Object.assign(json, {
    backend: report.backend,
    backend_session_id: report.backendSessionId,
    model: report.model,
    status: report.status,
    content: report.content,
    exit_code: report.exitCode,
    duration_seconds: report.durationSeconds,
    token_usage: report.usage,
  });
  if (report.error) json.error = report.error;
  return json;
}

/**
 * One `-o stream-json` line for a backend event, or `undefined` for events that only feed the
 * final `done` line (usage).
 */
export function streamEventLine(event: UnifiedEvent, sessionId?: string): string | undefined {
  if (event.type === "usage") return undefined;
  if (event.type === "init") {
    const init: Record<string, unknown> = { type: "init" };
    if (sessionId) init.session_id = sessionId;
    Object.assign(init, {
      backend: event.backend,
      backend_session_id: event.backend_session_id,
      model: event.model ?? null,
    });
    return JSON.stringify(init) + "\n";
  }
  return JSON.stringify(event) + "\n";
}

/** The closing `done` line of `-o stream-json`. */
export function streamDoneLine(report: TurnReport): string {
  const { content: _content, ...rest } = turnJson(report);
  return JSON.stringify({ type: "done", ...rest }) + "\n";
}

/** Groups digits: 12345 → "12,345". */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** The footer printed on stderr in text mode when `output.show_tokens` / `show_timing` is on. */
export function textFooter(
  report: TurnReport,
  options: { tokens: boolean; timing: boolean },
): string | undefined {
  const parts: string[] = [];
  if (options.tokens) {
    const u = report.usage;
    parts.push(
      `${formatCount(u.total)} tokens (${formatCount(u.input)} in, ${formatCount(u.output)} out, ${
        formatCount(u.cached)
      } cached)`,
    );
  }
  if (options.timing) parts.push(`${report.durationSeconds.toFixed(1)} s`);
  if (parts.length === 0) return undefined;
  if (report.sessionId) parts.push(`session ${report.sessionId}`);
  return `[${parts.join(" · ")}]\n`;
}
