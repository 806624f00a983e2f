/**
 * One session as the index remembers it: every field that `list`'s filters and ordering need,
 * plus the file's mtime and size so a rebuild can tell which files changed.
 * @module
 */
import type { SessionRecord, SessionStatus } from "./record.ts";
import { isResumable } from "./record.ts";
import type { SessionFilter } from "./store_types.ts";
import { timestampMs } from "./time.ts";

/** Longest title/prompt snippet kept in the index. */
export const SNIPPET_LENGTH = 80;

/** A live session in the index. */
export interface IndexEntry {
  id: string;
  backend: string;
  status: SessionStatus;
  created_at: string;
  last_used_at: string;
  total_tokens: number;
  /** Title, else prompt: whitespace collapsed, at most {@linkcode SNIPPET_LENGTH} characters. */
  snippet: string;
  workdir: string;
  tags: string[];
  resumable: boolean;
  parent_id: string | null;
  /** File modification time in ms. */
  mtime: number;
  /** File size in bytes. */
  size: number;
}

/** Title (else prompt) shortened for tables and ambiguity messages. */
export function snippetOf(record: Pick<SessionRecord, "title" | "prompt">): string {
  const text = (record.title || record.prompt).replace(/\s+/g, " ").trim();
  const chars = Array.from(text);
  return chars.length <= SNIPPET_LENGTH ? text : chars.slice(0, SNIPPET_LENGTH - 1).join("") + "…";
}

/** The index entry of a record stored in a file of the given mtime and size. */
export function entryFromRecord(record: SessionRecord, mtime: number, size: number): IndexEntry {
  return {
    id: record.id,
    backend: record.backend,
    status: record.status,
    created_at: record.created_at,
    last_used_at: record.last_used_at,
    total_tokens: record.token_usage.total,
    snippet: snippetOf(record),
    workdir: record.workdir,
    tags: record.tags,
    resumable: isResumable(record),
    parent_id: record.parent_id ?? null,
    mtime,
    size,
  };
}

/**
 * Whether an entry still describes `record`: every indexed field except mtime and size, which
 * a plain read does not learn. Field by field, because `list --json` checks every record.
 */
export function entryDescribes(entry: IndexEntry, record: SessionRecord): boolean {
  return entry.id === record.id && entry.backend === record.backend &&
    entry.status === record.status && entry.created_at === record.created_at &&
    entry.last_used_at === record.last_used_at &&
    entry.total_tokens === record.token_usage.total && entry.workdir === record.workdir &&
    entry.resumable === isResumable(record) && entry.parent_id === (record.parent_id ?? null) &&
    entry.tags.length === record.tags.length &&
    entry.tags.every((tag, index) => tag === record.tags[index]) &&
    entry.snippet === snippetOf(record);
}

/** Whether an entry passes every given filter (`limit` aside). */
export function entryMatches(entry: IndexEntry, filter: SessionFilter): boolean {
  if (filter.backend !== undefined && entry.backend !== filter.backend) return false;
  if (filter.status !== undefined && entry.status !== filter.status) return false;
  if (filter.workdir !== undefined && entry.workdir !== filter.workdir) return false;
  if (filter.resumable !== undefined && entry.resumable !== filter.resumable) return false;
  return (filter.tags ?? []).every((tag) => entry.tags.includes(tag));
}

/** An entry with its sort keys: `last_used_at` in ms, then its position in the log. */
export interface Ranked {
  entry: IndexEntry;
  lastUsed: number;
  pos: number;
}

/** Ranks an entry found at log position `pos`. */
export function rank(entry: IndexEntry, pos: number): Ranked {
  return { entry, lastUsed: timestampMs(entry.last_used_at), pos };
}

/**
 * List order: newest `last_used_at` first; on a tie (timestamps have whole seconds) the one
 * written to the index later wins, so `resume --last` picks the session touched last.
 */
export function newestFirst(a: Ranked, b: Ranked): number {
  return b.lastUsed - a.lastUsed || b.pos - a.pos;
}
