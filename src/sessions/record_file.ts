/**
 * Reading and encoding one `sessions/<id>.json`. Reading never throws for a broken file: it
 * says whether the file is missing, bad (and why) or a valid record.
 * @module
 */
import type { Fs } from "../platform/types.ts";
import type { SessionRecord } from "./record.ts";
import { validateRecord } from "./validate_record.ts";
import { errorMessage, errorName, isADirectory, isNotFound } from "../platform/fs_errors.ts";

/** What reading a session file found. */
export type RecordRead =
  | { kind: "ok"; record: SessionRecord }
  | { kind: "missing" }
  | { kind: "bad"; reason: string };

/** A {@linkcode RecordRead} plus the file's modification time and size, for the index. */
export type StatRead = RecordRead & { mtime: number; size: number };

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Parses and validates the bytes of `<stem>.json`. */
export function parseRecordBytes(bytes: Uint8Array, stem: string): RecordRead {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { kind: "bad", reason: "not valid UTF-8 text" };
  }
  if (text.trim() === "") return { kind: "bad", reason: "file is empty" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { kind: "bad", reason: `not valid JSON (${errorMessage(error)})` };
  }
  const result = validateRecord(raw, stem);
  return result.ok ? { kind: "ok", record: result.record } : { kind: "bad", reason: result.reason };
}

function unreadable(error: unknown): RecordRead {
  if (isNotFound(error)) return { kind: "missing" };
  if (isADirectory(error)) return { kind: "bad", reason: "not a regular file" };
  return { kind: "bad", reason: `cannot be read (${errorMessage(error)})` };
}

/** Reads `<dir>/<stem>.json` with one file call (no stat): the fast path of listing. */
export async function readRecord(fs: Fs, path: string, stem: string): Promise<RecordRead> {
  try {
    return parseRecordBytes(await fs.readFile(path), stem);
  } catch (error) {
    if (errorName(error) === "NotCapable") throw error;
    return unreadable(error);
  }
}

/** Reads a session file together with its mtime and size (what the index remembers). */
export async function readRecordWithStat(fs: Fs, path: string, stem: string): Promise<StatRead> {
  try {
    const info = await fs.stat(path);
    const stamp = { mtime: info.mtime?.getTime() ?? 0, size: info.size };
    if (!info.isFile) return { kind: "bad", reason: "not a regular file", ...stamp };
    return { ...parseRecordBytes(await fs.readFile(path), stem), ...stamp };
  } catch (error) {
    if (errorName(error) === "NotCapable") throw error;
    return { ...unreadable(error), mtime: 0, size: 0 };
  }
}

/** The bytes clinvk writes for a record: 2-space JSON and a trailing newline (jq-friendly). */
export function encodeRecord(record: SessionRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record, null, 2) + "\n");
}
