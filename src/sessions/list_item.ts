/**
 * A session as `sessions list --json` prints it (SPEC §7): the guide's short fields first,
 * then the full record. The catalog keeps each session's row in exactly this form, already
 * indented as an element of the printed array, so a full listing is the rows' texts joined
 * (`catalog_sessions.ts`); the record is recovered from it when a row is read
 * ({@linkcode rowRecord}).
 * @module
 */
import type { SessionRecord } from "./record.ts";

/**
 * One `sessions list --json` item: the guide's short fields (`last_used`, `tokens`) first, then
 * the full record, so both the guide's and the record's jq paths work.
 */
export function sessionListItem(session: SessionRecord): Record<string, unknown> {
  const { id, backend, status, prompt } = session;
  const short = {
    id,
    backend,
    status,
    last_used: session.last_used_at,
    tokens: session.token_usage.total,
    prompt,
  };
  if (Object.hasOwn(session, "__proto__")) {
    // A hand-written field by that name: `assign` would set the prototype instead.
    const { id: _, backend: _b, status: _s, prompt: _p, ...rest } = session;
    return { ...short, ...rest };
  }
  // The fields already there keep their place (and value); the rest follow in order. Twice
  // as fast as spreading the rest, which counts when a rebuild does it 100,000 times.
  return Object.assign(short, session) as unknown as Record<string, unknown>;
}

/** The record's fields that the item moves to its front. */
const MOVED = ["id", "backend", "status", "prompt"] as const;

/** What a catalog row keeps of a record. */
export interface RowTexts {
  /** The list item, 2-space JSON indented once more, as inside the printed array. */
  item: string;
  /** Where the moved fields stood among the record's keys (`"0,1,4,8"`), to put them back. */
  head: string;
  /**
   * The record as compact JSON, only when the item cannot give it back: a record that has
   * fields of its own named `last_used` or `tokens` (hand-written), which the item's short
   * fields would hide.
   */
  record: string | null;
}

/** The row texts of a record. */
export function rowTexts(record: SessionRecord): RowTexts {
  // As an element of the printed array: `[\n` + element + `\n]`.
  const item = JSON.stringify([sessionListItem(record)], null, 2).slice(2, -2);
  const keys = Object.keys(record);
  const head = MOVED.map((key) => keys.indexOf(key)).join(",");
  const hidden = Object.hasOwn(record, "last_used") || Object.hasOwn(record, "tokens");
  return { item, head, record: hidden ? JSON.stringify(record) : null };
}

/** The record a row holds (validated when it was stored), its keys in the file's order. */
export function rowRecord(row: RowTexts): SessionRecord {
  if (row.record !== null) return JSON.parse(row.record) as SessionRecord;
  const item = JSON.parse(row.item) as Record<string, unknown>;
  // The item is id, backend, status, last_used, tokens, prompt, then the rest in order.
  const keys = Object.keys(item);
  const [id, backend, status, prompt] = row.head.split(",").map(Number);
  if (Object.hasOwn(item, "__proto__")) {
    const entries = keys.slice(6).map((key) => [key, item[key]]);
    MOVED.map((key, k) => ({ key, at: [id, backend, status, prompt][k]! }))
      .sort((a, b) => a.at - b.at)
      .forEach(({ key, at }) => entries.splice(at, 0, [key, item[key]]));
    // `fromEntries` defines own properties: a `__proto__` field stays a field.
    return Object.fromEntries(entries) as unknown as SessionRecord;
  }
  const record: Record<string, unknown> = {};
  for (let at = 0, rest = 6; at < keys.length - 2; at++) {
    const key = at === id
      ? "id"
      : at === backend
      ? "backend"
      : at === status
      ? "status"
      : at === prompt
      ? "prompt"
      : keys[rest++]!;
    record[key] = item[key];
  }
  return record as unknown as SessionRecord;
}
