/**
 * Per-session turn journals, `sessions/.turns/<id>.jsonl`: one JSON line per turn, appended
 * (and fsynced) under the store lock while the session's lease is held. They are what the
 * catalog's turn rows are rebuilt from, so history, search and usage survive a lost catalog.
 * A crash mid-append leaves a torn last line: readers skip it, and the next append cuts it
 * off first (it was never acknowledged).
 * @module
 */
import type { Fs } from "../platform/types.ts";
import { errorMessage, isNotFound } from "../platform/fs_errors.ts";
import { stampOf } from "./session_file.ts";
import type { FileStamp } from "./session_file.ts";
import { refuseLink } from "./store_layout.ts";
import { ensurePrivateDir, journalPath } from "./store_paths.ts";
import type { StorePaths } from "./store_paths.ts";
import type { TurnEntry } from "./store_types.ts";
import { validateTurnEntry } from "./validate_turn.ts";

/** Largest journal clinvk reads (about 20,000 long turns). */
export const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Appends `entry` to the journal of session `id`; returns the journal's new stamp. */
export async function appendJournal(
  fs: Fs,
  paths: StorePaths,
  id: string,
  entry: TurnEntry,
): Promise<FileStamp> {
  await ensurePrivateDir(fs, paths.turns);
  const path = journalPath(paths, id);
  await refuseLink(fs, path, "file");
  const file = await fs.open(path, { read: true, write: true, create: true, mode: 0o600 });
  try {
    const size = (await file.stat()).size;
    const end = await lastLineEnd(file, size);
    // A crash tore the last line: that write was never acknowledged, so it is dropped.
    if (end < size) await file.truncate(end);
    await file.seek(end, 0); // 0 = from the start; Deno.SeekMode is off limits here.
    const bytes = encoder.encode(`${JSON.stringify(entry)}\n`);
    let offset = 0;
    while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
    await file.sync();
    return stampOf(await file.stat());
  } finally {
    file.close();
  }
}

/** The offset just after the file's last newline (0 when it has none). */
async function lastLineEnd(file: Deno.FsFile, size: number): Promise<number> {
  const chunk = new Uint8Array(64 * 1024);
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - chunk.length);
    await file.seek(start, 0);
    let filled = 0;
    while (filled < end - start) {
      const read = await file.read(chunk.subarray(filled, end - start));
      if (read === null) break;
      filled += read;
    }
    const at = chunk.subarray(0, filled).lastIndexOf(0x0a);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

/** A journal as read: its entries in order, and its stamp. */
export interface JournalRead {
  entries: TurnEntry[];
  stamp: FileStamp;
}

/**
 * Reads the journal at `path`; `undefined` when there is none. Lines that are torn or not a
 * turn are skipped (reported through `warn` when not the last one).
 */
export async function readJournal(
  fs: Fs,
  path: string,
  warn: (message: string) => void,
): Promise<JournalRead | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await fs.lstat(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  if (!info.isFile || info.isSymlink) {
    warn(`Skipping ${path}: not a regular file`);
    return undefined;
  }
  if (info.size > MAX_JOURNAL_BYTES) {
    warn(`Skipping ${path}: too large (${info.size} bytes)`);
    return undefined;
  }
  let text: string;
  try {
    text = decoder.decode(await fs.readFile(path));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    warn(`Skipping ${path}: cannot be read (${errorMessage(error)})`);
    return undefined;
  }
  const lines = text.split("\n");
  const entries: TurnEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      // The last line may be torn by a crash mid-append; anything else is worth a word.
      if (index < lines.length - 1) warn(`Skipping line ${index + 1} of ${path}: not JSON`);
      return;
    }
    const checked = validateTurnEntry(raw);
    if (checked) entries.push(checked);
    else warn(`Skipping line ${index + 1} of ${path}: not a turn`);
  });
  return { entries, stamp: stampOf(info) };
}
