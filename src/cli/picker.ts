/**
 * The interactive session picker of `clinvk resume`: arrow keys, type to filter, Enter, Esc.
 * Drawn on stderr so stdout stays clean for the answer.
 * @module
 */
import type { Platform } from "../platform/types.ts";
import type { SessionRecord } from "../sessions/record.ts";
import { relativeTime } from "../output/relative_time.ts";
import { escapeControl } from "../output/safe_text.ts";
import { truncateToWidth } from "../output/table.ts";
import {
  decodeKeys,
  initialPicker,
  pickedIndex,
  pickerReduce,
  type PickerState,
  withSearchHits,
} from "./picker_state.ts";

/** How many rows the picker shows at once. */
const ROWS = 12;

/** One line describing a session in the picker. */
export function pickerLabel(session: SessionRecord, now: Date): string {
  const what = session.title || session.prompt || "(no prompt)";
  return escapeControl(
    `${session.id}  ${session.backend.padEnd(6)}  ${
      relativeTime(new Date(session.last_used_at), now).padEnd(15)
    }  ${what.replace(/\s+/g, " ")}  — ${session.workdir}`,
  );
}

function render(state: PickerState, width: number): string {
  const lines = [`Resume which session? (type to filter, ↑/↓, Enter, Esc)  > ${state.filter}`];
  const start = Math.max(0, Math.min(state.cursor - ROWS + 1, state.visible.length - ROWS));
  const page = state.visible.slice(start, start + ROWS);
  page.forEach((index, row) => {
    const selected = start + row === state.cursor;
    const text = truncateToWidth(`${selected ? "❯" : " "} ${state.labels[index]}`, width - 1);
    lines.push(selected ? `\x1b[7m${text}\x1b[27m` : text);
  });
  if (state.visible.length === 0) lines.push("  (no session matches)");
  for (let i = lines.length; i <= ROWS; i++) lines.push("");
  return lines.map((line) => `\x1b[2K${line}`).join("\n");
}

/** Ids of sessions whose prompts, answers or tags match the typed words (the catalog's search). */
export type SearchIds = (filter: string) => Promise<ReadonlySet<string>>;

/**
 * Shows the picker and resolves to the chosen session, or `undefined` on Esc. Typing filters
 * by the labels and, with `search`, by the full-text index too.
 */
export async function pickSession(
  platform: Platform,
  sessions: SessionRecord[],
  search?: SearchIds,
): Promise<SessionRecord | undefined> {
  const now = platform.clock.now();
  let state = initialPicker(sessions.map((s) => pickerLabel(s, now)));
  const width = platform.stderr.columns() ?? 80;
  const draw = (first: boolean) => {
    if (!first) platform.stderr.write(`\x1b[${ROWS}A\r`);
    platform.stderr.write(render(state, width) + "\r");
  };
  platform.stdin.setRaw(true);
  platform.stderr.write("\x1b[?25l");
  draw(true);
  const reader = platform.stdin.readable.getReader();
  const decoder = new TextDecoder();
  try {
    while (!state.done) {
      const { value, done } = await reader.read();
      if (done) break;
      const before = state.filter;
      for (const key of decodeKeys(decoder.decode(value))) {
        state = pickerReduce(state, key);
        if (state.done) break;
      }
      if (search && !state.done && state.filter !== before && state.filter.trim() !== "") {
        const filter = state.filter;
        const ids = await search(filter).catch(() => new Set<string>());
        const found = new Set(sessions.flatMap((s, index) => (ids.has(s.id) ? [index] : [])));
        state = withSearchHits(state, filter, found);
      }
      draw(false);
    }
  } finally {
    reader.releaseLock();
    platform.stdin.setRaw(false);
    platform.stderr.write(`\x1b[${ROWS}A\r\x1b[J\x1b[?25h`);
  }
  const index = pickedIndex(state);
  return index === undefined ? undefined : sessions[index];
}
