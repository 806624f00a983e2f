/**
 * The bytes of `sessions/.index` (design in `index_log.ts`): a fixed-size header, the fence
 * block and the sorted fixed-width id block, then JSON lines. Parsing is strict — a line that does not have the
 * expected shape makes the whole index untrustworthy, and the caller rebuilds it.
 * @module
 */
import { SESSION_STATUSES } from "./record.ts";
import type { SessionStatus } from "./record.ts";
import type { IndexEntry } from "./index_entry.ts";

/** Format version written in the header. */
export const INDEX_VERSION = 1;
/** Size of the header line, padded with spaces, newline included. */
export const HEADER_BYTES = 256;
/** Ids per page of the id block; the fence block holds the first id of every page. */
export const ID_PAGE = 256;

/** The header: where each region starts and how big it is. */
export interface IndexHeader {
  clinvk_index: number;
  /** Number of ids in the id block. */
  ids: number;
  /** Characters per id in the blocks (ids are padded with spaces). */
  id_width: number;
  /** Byte offset of the id block (end of the fence block, which starts after the header). */
  ids_at: number;
  /** Byte offset of the base lines (end of the id block). */
  base_at: number;
  /** Byte offset of the appended tail (end of the base lines). */
  tail_at: number;
  /** Number of base lines. */
  base_lines: number;
  /** Live sessions at the last compaction; decides when to compact again. */
  live: number;
}

/** Trailer of every appended line. */
export interface TailMeta {
  /** `sessions/` mtime and inode observed right after the write this line describes. */
  dir: string;
  /** Greatest `last_used_at` (ms) of any line up to and including this one. */
  max: number;
  /** Lines appended since the last compaction (the first stamp line is 0). */
  seq: number;
}

/** A `*.json` file that is not a valid session, remembered so a rebuild need not reread it. */
export interface BadLine {
  bad: string;
  reason: string;
  mtime: number;
  size: number;
}

/** One parsed line. */
export type IndexLine =
  | { kind: "entry"; entry: IndexEntry; meta?: TailMeta }
  | { kind: "tombstone"; id: string; meta: TailMeta }
  | { kind: "bad"; bad: BadLine }
  | { kind: "stamp"; meta: TailMeta };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Number of fences (first ids of pages) for `ids` ids. */
export function fenceCount(ids: number): number {
  return Math.ceil(ids / ID_PAGE);
}

/** Encodes the header as exactly {@linkcode HEADER_BYTES} bytes. */
export function encodeHeader(header: Omit<IndexHeader, "clinvk_index">): Uint8Array {
  const text = JSON.stringify({ clinvk_index: INDEX_VERSION, ...header });
  if (text.length >= HEADER_BYTES) throw new Error("Index header does not fit");
  return encoder.encode(text.padEnd(HEADER_BYTES - 1) + "\n");
}

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0;

/** Parses the header bytes; `undefined` when they are not a header this version wrote. */
export function decodeHeader(bytes: Uint8Array): IndexHeader | undefined {
  if (bytes.length < HEADER_BYTES || bytes[HEADER_BYTES - 1] !== 0x0a) return undefined;
  try {
    const raw = JSON.parse(decoder.decode(bytes.subarray(0, HEADER_BYTES)));
    const fields = ["ids", "id_width", "ids_at", "base_at", "tail_at", "base_lines", "live"];
    if (raw?.clinvk_index !== INDEX_VERSION || !fields.every((f) => isCount(raw[f]))) {
      return undefined;
    }
    const header = raw as IndexHeader;
    const stride = header.id_width + 1;
    const consistent = header.ids_at === HEADER_BYTES + fenceCount(header.ids) * stride &&
      header.base_at === header.ids_at + header.ids * stride && header.tail_at >= header.base_at;
    return consistent ? header : undefined;
  } catch {
    return undefined;
  }
}

/** Encodes a live entry, with the trailer when it is appended. */
export function encodeEntry(entry: IndexEntry, meta?: TailMeta): string {
  return JSON.stringify(meta ? { ...entry, ...meta } : entry);
}

/** Encodes a deletion. */
export function encodeTombstone(id: string, meta: TailMeta): string {
  return JSON.stringify({ id, deleted: true, ...meta });
}

/** Encodes a bad-file line (base only). */
export function encodeBad(bad: BadLine): string {
  return JSON.stringify(bad);
}

/** Encodes a line that only records the directory state. */
export function encodeStamp(meta: TailMeta): string {
  return JSON.stringify(meta);
}

type Raw = Record<string, unknown>;
const isString = (value: unknown): value is string => typeof value === "string";

function parseMeta(raw: Raw): TailMeta | undefined {
  if (!isString(raw.dir) || typeof raw.max !== "number" || !isCount(raw.seq)) return undefined;
  return { dir: raw.dir, max: raw.max, seq: raw.seq };
}

function parseEntry(raw: Raw): IndexEntry | undefined {
  const ok = isString(raw.id) && isString(raw.backend) &&
    SESSION_STATUSES.includes(raw.status as SessionStatus) &&
    isString(raw.created_at) && isString(raw.last_used_at) &&
    typeof raw.total_tokens === "number" && isString(raw.snippet) && isString(raw.workdir) &&
    Array.isArray(raw.tags) && raw.tags.every(isString) && typeof raw.resumable === "boolean" &&
    (raw.parent_id === null || isString(raw.parent_id)) &&
    typeof raw.mtime === "number" && typeof raw.size === "number";
  if (!ok) return undefined;
  // Rebuilt field by field so the entry has a canonical key order and no trailer fields.
  return {
    id: raw.id as string,
    backend: raw.backend as string,
    status: raw.status as SessionStatus,
    created_at: raw.created_at as string,
    last_used_at: raw.last_used_at as string,
    total_tokens: raw.total_tokens as number,
    snippet: raw.snippet as string,
    workdir: raw.workdir as string,
    tags: raw.tags as string[],
    resumable: raw.resumable as boolean,
    parent_id: raw.parent_id as string | null,
    mtime: raw.mtime as number,
    size: raw.size as number,
  };
}

/** Parses one line; `undefined` when it is not a line this version wrote. */
export function parseLine(text: string): IndexLine | undefined {
  let raw: Raw;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const meta = parseMeta(raw);
  if (isString(raw.bad)) {
    const ok = isString(raw.reason) && typeof raw.mtime === "number" &&
      typeof raw.size === "number";
    if (!ok) return undefined;
    const bad = { bad: raw.bad, reason: raw.reason as string, mtime: raw.mtime as number };
    return { kind: "bad", bad: { ...bad, size: raw.size as number } };
  }
  if (raw.deleted === true) {
    return isString(raw.id) && meta ? { kind: "tombstone", id: raw.id, meta } : undefined;
  }
  if (raw.id === undefined) return meta ? { kind: "stamp", meta } : undefined;
  const entry = parseEntry(raw);
  if (!entry) return undefined;
  return meta ? { kind: "entry", entry, meta } : { kind: "entry", entry };
}

/** The file name a line is about: `<id>.json` or the bad file's name; none for a stamp. */
export function lineKey(line: IndexLine): string | undefined {
  switch (line.kind) {
    case "entry":
      return `${line.entry.id}.json`;
    case "tombstone":
      return `${line.id}.json`;
    case "bad":
      return line.bad.bad;
    case "stamp":
      return undefined;
  }
}
