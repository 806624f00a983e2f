/**
 * Queries over the index file that read only what they need (design in `index_log.ts`): the
 * newest N matching entries by reading backwards from the end, and id-prefix lookup through
 * the fence and id blocks plus the tail.
 * @module
 */
import type { Fs } from "../platform/types.ts";
import { linesBackward, readAt, splitLines } from "./file_reader.ts";
import { entryMatches, newestFirst, rank } from "./index_entry.ts";
import type { Ranked } from "./index_entry.ts";
import { fenceCount, HEADER_BYTES, ID_PAGE, lineKey, parseLine } from "./index_format.ts";
import type { IndexHeader, IndexLine } from "./index_format.ts";
import { openForRead } from "./index_log.ts";
import type { IndexState } from "./index_log.ts";
import type { SessionFilter } from "./store_types.ts";
import { timestampMs } from "./time.ts";
import { TopN } from "./top_n.ts";

const decoder = new TextDecoder();
const decodeLine = (bytes: Uint8Array): IndexLine | undefined => parseLine(decoder.decode(bytes));

/**
 * The newest `limit` live entries matching `filter`, newest first, reading the log backwards
 * only as far as needed. `undefined` when a line is unreadable (rebuild and ask again).
 */
export async function scanNewest(
  fs: Fs,
  path: string,
  state: IndexState,
  filter: SessionFilter,
  limit: number,
): Promise<Ranked[] | undefined> {
  if (limit <= 0) return [];
  const file = await openForRead(fs, path);
  if (!file) return undefined;
  const top = new TopN<Ranked>(limit, newestFirst);
  const seen = new Set<string>();
  let pos = 0;
  try {
    for await (const line of linesBackward(file, state.header.base_at, state.size)) {
      const parsed = decodeLine(line.bytes);
      if (!parsed) return undefined;
      pos--; // Earlier lines rank lower on ties; only the relative order matters.
      const key = lineKey(parsed);
      let bound = -Infinity;
      if (parsed.kind === "entry") {
        if (!seen.has(key!)) {
          seen.add(key!);
          if (entryMatches(parsed.entry, filter)) top.offer(rank(parsed.entry, pos));
        }
        bound = parsed.meta ? parsed.meta.max : timestampMs(parsed.entry.last_used_at);
      } else if (parsed.kind !== "bad") {
        if (key) seen.add(key);
        bound = parsed.meta.max;
      }
      if (top.full && top.worst!.lastUsed >= bound) break;
    }
  } finally {
    file.close();
  }
  return top.sorted();
}

/** Reads ids `[first, first + count)` of the block that starts at `at`. */
async function readIds(
  file: Deno.FsFile,
  header: IndexHeader,
  at: number,
  first: number,
  count: number,
): Promise<string[]> {
  const stride = header.id_width + 1;
  const bytes = await readAt(file, at + first * stride, count * stride);
  const text = decoder.decode(bytes);
  return Array.from(
    { length: count },
    (_, i) => text.slice(i * stride, i * stride + stride).trimEnd(),
  );
}

/**
 * All live ids starting with `prefix`, sorted: the fences locate the one page where `prefix`
 * sorts, pages are read until past the matches, then the tail adds and removes. `undefined`
 * when the index is unreadable.
 */
export async function findByPrefix(
  fs: Fs,
  path: string,
  state: IndexState,
  prefix: string,
): Promise<string[] | undefined> {
  const file = await openForRead(fs, path);
  if (!file) return undefined;
  const { header } = state;
  try {
    const fences = await readIds(file, header, HEADER_BYTES, 0, fenceCount(header.ids));
    // The first id >= prefix is in the last page whose first id is < prefix, or the next.
    let page = Math.max(0, fences.findLastIndex((fence) => fence < prefix));
    const found = new Set<string>();
    for (; page * ID_PAGE < header.ids; page++) {
      const first = page * ID_PAGE;
      const ids = await readIds(
        file,
        header,
        header.ids_at,
        first,
        Math.min(ID_PAGE, header.ids - first),
      );
      for (const id of ids) if (id.startsWith(prefix)) found.add(id);
      if (ids.at(-1)! > prefix && !ids.at(-1)!.startsWith(prefix)) break;
    }
    const tail = await readAt(file, header.tail_at, state.size - header.tail_at);
    for (const line of splitLines(tail)) {
      const parsed = decodeLine(line.bytes);
      if (!parsed || parsed.kind === "bad") return undefined;
      if (parsed.kind === "entry" && parsed.entry.id.startsWith(prefix)) {
        found.add(parsed.entry.id);
      }
      if (parsed.kind === "tombstone") found.delete(parsed.id);
    }
    return [...found].sort();
  } finally {
    file.close();
  }
}
