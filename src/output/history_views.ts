/**
 * Pure renderers of a session's turn history (`sessions show --turns`) and of search hits
 * (`sessions search`).
 * @module
 */
import type { SearchHit, TurnEntry } from "../sessions/store_types.ts";
import { relativeTime } from "./relative_time.ts";
import { escapeControl } from "./safe_text.ts";
import { renderTable, truncateToWidth } from "./table.ts";
import { formatCount } from "./turn_output.ts";
import { sessionSummary } from "./session_views.ts";

/** `$0.0123`, or `cost unknown`. */
export function formatCost(cost: number | null | undefined): string {
  if (cost === null || cost === undefined) return "cost unknown";
  if (cost === 0) return "$0";
  return cost < 0.01 ? `$${cost.toFixed(4)}` : `$${cost.toFixed(2)}`;
}

function oneLineText(text: string, width: number): string {
  return truncateToWidth(escapeControl(text.replace(/\s+/g, " ").trim()), width);
}

/** The history block under `sessions show --turns`. */
export function turnsView(turns: readonly TurnEntry[], width = 100): string {
  if (turns.length === 0) return "History:           (no turns recorded)\n";
  let out = "History:\n";
  for (const turn of turns) {
    const status = turn.error_class ? `${turn.error_class} error, exit ${turn.exit_code}` : "ok";
    out += `  #${turn.n}  ${turn.at}  ${turn.model ?? turn.backend}  ${
      formatCount(turn.usage.total)
    } tokens  ${formatCost(turn.cost_usd)}  ${turn.duration_seconds} s  ${status}\n`;
    out += `      > ${oneLineText(turn.prompt, width - 8)}\n`;
    if (turn.answer) out += `      < ${oneLineText(turn.answer, width - 8)}\n`;
    if (turn.error) out += `      ! ${oneLineText(turn.error, width - 8)}\n`;
  }
  return out;
}

const OPEN = "\uE000";
const CLOSE = "\uE001";

/** A snippet on one line, control characters escaped, matches between `open` and `close`. */
export function markSnippet(snippet: string, open: string, close: string): string {
  // The markers are control characters on purpose: no text of a session can contain them.
  // deno-lint-ignore no-control-regex
  return snippet.replace(/\s+/g, " ").split(/([\u0001\u0002])/).map((part) =>
    part === "\u0001" ? open : part === "\u0002" ? close : escapeControl(part)
  ).join("");
}

/** The `sessions search` table: matches in bold on a colour terminal, else in [brackets]. */
export function searchTable(
  hits: readonly SearchHit[],
  now: Date,
  color: boolean,
  width?: number,
): string {
  const rows = hits.map((hit) => [
    hit.record.id,
    hit.record.backend,
    relativeTime(new Date(hit.record.last_used_at), now),
    hit.turn > 0 ? `#${hit.turn}` : "-",
    markSnippet(hit.snippet, OPEN, CLOSE),
  ]);
  // The match is the last column, so marks swapped in after layout cannot misalign it.
  return renderTable(["ID", "BACKEND", "LAST USED", "TURN", "MATCH"], rows, width)
    .replaceAll(OPEN, color ? "\x1b[1m" : "[")
    .replaceAll(CLOSE, color ? "\x1b[22m" : "]");
}

/** One `sessions search --json` item. */
export function searchItem(hit: SearchHit): Record<string, unknown> {
  return {
    id: hit.record.id,
    backend: hit.record.backend,
    last_used: hit.record.last_used_at,
    title: sessionSummary(hit.record),
    turn: hit.turn,
    snippet: markSnippet(hit.snippet, "**", "**"),
    score: hit.score,
    session: hit.record,
  };
}
