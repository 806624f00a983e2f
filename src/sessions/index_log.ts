/**
 * The session index, `sessions/.index`: a cache that lets `list --limit N`, `resume --last`,
 * `-c` and id-prefix lookup run without reading every session file. The `<id>.json` files are
 * the source of truth; the index can always be rebuilt from them (deleting it is harmless).
 *
 * ## Layout
 *
 * ```
 * header      256 bytes: JSON {clinvk_index, ids, id_width, ids_at, base_at, tail_at, …}
 * fences      the first id of every page of 256 ids (1/256 of the id block)
 * id block    every live id, sorted, padded to id_width, one per line
 * base        one JSON line per file, written at the last compaction:
 *               bad files first ({bad, reason, mtime, size}), then live entries sorted
 *               oldest → newest last_used_at (ties: older write first)
 * tail        appended since: one line per write, each ending in the trailer {dir, max, seq}
 *               {id, backend, status, …, mtime, size, dir, max, seq}   a new/changed session
 *               {id, deleted: true, dir, max, seq}                      a deleted one
 *               {dir, max, seq}                                         directory stamp only
 * ```
 *
 * - `dir` is the `sessions/` directory's mtime and inode observed right after the write the
 *   line describes. Every clinvk write (temp file + rename, delete) changes the directory's
 *   mtime and happens under the exclusive store lock, immediately followed by its index line.
 *   So "the directory's current stamp equals the last line's `dir`" means nobody else has
 *   added, removed or renamed anything since: the index is current. Anything else — a file
 *   `rm`-ed or dropped in by hand, `jq … > tmp && mv tmp x.json`, a crash between rename and
 *   append, the whole directory moved away and recreated — changes the stamp, and the next
 *   reader rebuilds (`index_sync.ts`): readDir, stat every file, reread only the files whose
 *   mtime/size differ from their entry, then write a fresh compacted index atomically.
 * - `max` is the greatest `last_used_at` of all lines so far. Reading backwards from the end,
 *   once N matches are held and the Nth is at least as new as the current line's `max`, no
 *   earlier line can beat it: "newest N" stops after about N lines whatever the store's size.
 *   In the base, lines are sorted, so a line's own `last_used_at` is that bound.
 * - Before changing any file a writer appends a write mark (a stamp with `dir: "writing"`, see
 *   {@linkcode appendWriteMark}), so a writer killed mid-way leaves a last line that matches
 *   no directory, whatever the mtime resolution.
 * - `seq` counts tail lines. When the tail outgrows min(1024, max(16, live)) lines the index is
 *   compacted (rewritten from itself, no session files read), which keeps prefix lookup and
 *   the backward scan cheap. Prefix lookup reads the fence block, then the one page of ids
 *   where the prefix would sort (more only if matches spill over), then the short tail.
 * - Checks on read: whoever reads a session file for a listed entry compares it with the entry;
 *   a missing or different file (an in-place edit leaves the directory stamp alone) gets its
 *   entry rechecked and fixed before the query is answered again.
 *
 * Limits, by design: mtimes have millisecond resolution, so a hand change within the same
 * millisecond as a clinvk write is only noticed when that file is read or the directory
 * changes again; an in-place edit (`>>`) is noticed when the file is read.
 * @module
 */
import { basename } from "node:path";
import type { Fs } from "../platform/types.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { linesBackward, readAt } from "./file_reader.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import type { IndexEntry } from "./index_entry.ts";
import {
  decodeHeader,
  encodeBad,
  encodeEntry,
  encodeHeader,
  encodeStamp,
  encodeTombstone,
  HEADER_BYTES,
  ID_PAGE,
  lineKey,
  parseLine,
} from "./index_format.ts";
import type { BadLine, IndexHeader, IndexLine, TailMeta } from "./index_format.ts";
import type { StorePaths } from "./store_paths.ts";
import { timestampMs } from "./time.ts";

/** What a reader needs to know about the index: its header, last trailer and size. */
export interface IndexState {
  header: IndexHeader;
  last: TailMeta;
  size: number;
}

/** A file the index knows about, with its line's position (for tie-breaks). */
export type Slot =
  | { kind: "entry"; entry: IndexEntry; pos: number }
  | { kind: "bad"; bad: BadLine; pos: number };

/** The whole index, read into memory. */
export interface LoadedIndex extends IndexState {
  /** By file name (`<id>.json`, or a bad file's name). */
  slots: Map<string, Slot>;
}

/** A change to append: a written session or a deleted one. */
export type IndexChange = { entry: IndexEntry } | { deleted: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NEWLINE = 0x0a;
const decodeLine = (bytes: Uint8Array): IndexLine | undefined => parseLine(decoder.decode(bytes));

/** The directory's stamp: mtime in ms and inode (a recreated directory gets a new inode). */
export async function observeDir(fs: Fs, dir: string): Promise<string> {
  const info = await fs.stat(dir);
  return `${info.mtime?.getTime() ?? 0}:${info.ino ?? 0}`;
}

/** Opens a file for reading; `undefined` when it does not exist. */
export async function openForRead(fs: Fs, path: string): Promise<Deno.FsFile | undefined> {
  try {
    return await fs.open(path, { read: true });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Reads only the header and the last line. `undefined` when the index is missing, not ours,
 * or does not end in a complete trailer line (a crash mid-append) — all mean "rebuild".
 */
export async function readIndexState(fs: Fs, path: string): Promise<IndexState | undefined> {
  const file = await openForRead(fs, path);
  if (!file) return undefined;
  try {
    const size = (await file.stat()).size;
    const header = decodeHeader(await readAt(file, 0, HEADER_BYTES));
    if (!header || size <= header.tail_at) return undefined;
    const lastByte = await readAt(file, size - 1, 1);
    if (lastByte[0] !== NEWLINE) return undefined;
    for await (const line of linesBackward(file, header.tail_at, size, 4096)) {
      const parsed = decodeLine(line.bytes);
      if (!parsed || parsed.kind === "bad" || !parsed.meta) return undefined;
      return { header, last: parsed.meta, size };
    }
    return undefined;
  } finally {
    file.close();
  }
}

/** Reads the whole index (for full listings and compaction); `undefined` when unusable. */
export async function loadIndex(fs: Fs, path: string): Promise<LoadedIndex | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const header = decodeHeader(bytes.subarray(0, HEADER_BYTES));
  if (!header || bytes.length <= header.tail_at || bytes[bytes.length - 1] !== NEWLINE) {
    return undefined;
  }
  const slots = new Map<string, Slot>();
  let last: TailMeta | undefined;
  let pos = 0;
  // One decode per region, not per line: this runs over every line of a 100k-session index.
  const regions = [
    { text: decoder.decode(bytes.subarray(header.base_at, header.tail_at)), inTail: false },
    { text: decoder.decode(bytes.subarray(header.tail_at)), inTail: true },
  ];
  for (const { text, inTail } of regions) {
    const lines = text.split("\n");
    if (lines.pop() !== "") return undefined; // Each region ends with a newline.
    for (const line of lines) {
      const parsed = parseLine(line);
      if (!parsed || (inTail && parsed.kind === "bad")) return undefined;
      const key = lineKey(parsed);
      if (parsed.kind === "entry") slots.set(key!, { kind: "entry", entry: parsed.entry, pos });
      else if (parsed.kind === "bad") slots.set(key!, { kind: "bad", bad: parsed.bad, pos });
      else if (parsed.kind === "tombstone") slots.delete(key!);
      last = parsed.kind === "bad" ? undefined : parsed.meta;
      pos++;
    }
  }
  return last ? { header, last, size: bytes.length, slots } : undefined;
}

async function appendBytes(fs: Fs, path: string, bytes: Uint8Array): Promise<void> {
  let file: Deno.FsFile;
  try {
    // No `create`: if the index vanished, the next reader rebuilds it from the files.
    file = await fs.open(path, { append: true });
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  try {
    let offset = 0;
    while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
  } finally {
    file.close();
  }
}

/** The `dir` of a write mark; no real directory stamp (`<mtime>:<inode>`) can equal it. */
export const WRITING = "writing";

/**
 * Appends a write mark — a stamp line whose `dir` is {@linkcode WRITING} — right before a
 * writer changes files (exclusive lock held); the writer's own lines follow it.
 *
 * Why: directory mtimes tick coarsely (a kernel clock tick, 1–4 ms on Linux), so a writer
 * killed between its rename and its index line within the tick of the previous write would
 * leave the directory stamp unchanged: the index would look current while missing that write
 * (a session no listing shows), and its temp file would never be swept. With the mark, such a
 * crash leaves the mark as the last line, which matches no directory, so the next command
 * rebuilds. Not counted in `seq`: it does not bring compaction closer.
 */
export async function appendWriteMark(
  fs: Fs,
  paths: StorePaths,
  state: IndexState,
): Promise<IndexState> {
  const last = { ...state.last, dir: WRITING };
  const bytes = encoder.encode(encodeStamp(last) + "\n");
  await appendBytes(fs, paths.index, bytes);
  return { header: state.header, last, size: state.size + bytes.length };
}

/**
 * Appends the lines of `changes` (just made on disk, under the exclusive lock) with the
 * directory stamp observed now. With no changes it appends a bare stamp if the directory
 * changed (e.g. clinvk created `.corrupt/`), so that change is not mistaken for a hand edit.
 */
export async function appendChanges(
  fs: Fs,
  paths: StorePaths,
  state: IndexState,
  changes: readonly IndexChange[],
): Promise<IndexState> {
  const dir = await observeDir(fs, paths.dir);
  let { max, seq } = state.last;
  const lines = changes.map((change) => {
    seq++;
    if ("deleted" in change) return encodeTombstone(change.deleted, { dir, max, seq });
    const lastUsed = timestampMs(change.entry.last_used_at);
    if (Number.isFinite(lastUsed)) max = Math.max(max, lastUsed);
    return encodeEntry(change.entry, { dir, max, seq });
  });
  if (lines.length === 0) {
    if (dir === state.last.dir) return state;
    seq++;
    lines.push(encodeStamp({ dir, max, seq }));
  }
  const bytes = encoder.encode(lines.join("\n") + "\n");
  await appendBytes(fs, paths.index, bytes);
  return { header: state.header, last: { dir, max, seq }, size: state.size + bytes.length };
}

/** Whether the tail has grown enough to compact (see the module comment). */
export function needsCompaction(state: IndexState): boolean {
  return state.last.seq > Math.min(1024, Math.max(16, state.header.live));
}

/**
 * Writes a fresh index (atomically) holding `live` — already in ascending list order — and
 * `bad`, then appends the stamp line that makes it current.
 */
export async function writeIndex(
  fs: Fs,
  paths: StorePaths,
  pid: number,
  live: readonly IndexEntry[],
  bad: readonly BadLine[],
): Promise<IndexState> {
  const ids = live.map((entry) => entry.id).sort();
  const width = ids.reduce((widest, id) => Math.max(widest, id.length), 1);
  const fences = ids.filter((_, index) => index % ID_PAGE === 0);
  const idBlock = encoder.encode([...fences, ...ids].map((id) => id.padEnd(width) + "\n").join(""));
  const baseLines = [...bad.map(encodeBad), ...live.map((entry) => encodeEntry(entry))];
  const base = encoder.encode(baseLines.map((line) => line + "\n").join(""));
  const base_at = HEADER_BYTES + idBlock.length;
  const header = encodeHeader({
    ids: ids.length,
    id_width: width,
    ids_at: HEADER_BYTES + fences.length * (width + 1),
    base_at,
    tail_at: base_at + base.length,
    base_lines: baseLines.length,
    live: live.length,
  });
  const content = new Uint8Array(header.length + idBlock.length + base.length);
  content.set(header);
  content.set(idBlock, header.length);
  content.set(base, base_at);
  // Synced like a session file: a torn id block after a power loss could hide sessions from
  // prefix lookup without failing any check.
  await writeFileAtomic(fs, paths.dir, basename(paths.index), content, pid);
  const max = live.reduce((newest, entry) => {
    const lastUsed = timestampMs(entry.last_used_at);
    return Number.isFinite(lastUsed) ? Math.max(newest, lastUsed) : newest;
  }, 0);
  const dir = await observeDir(fs, paths.dir);
  const stamp = encoder.encode(encodeStamp({ dir, max, seq: 0 }) + "\n");
  await appendBytes(fs, paths.index, stamp);
  return {
    header: decodeHeader(header)!,
    last: { dir, max, seq: 0 },
    size: content.length + stamp.length,
  };
}
