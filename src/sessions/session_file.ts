/**
 * Reading and encoding one `sessions/<id>.json`. Reading never throws for a broken file: it
 * says whether the file is missing, bad (and why) or a valid record. It never hangs or eats
 * memory either: the entry is looked at with `lstat` (and, for a symbolic link, `stat` of its
 * target) before it is opened, so a FIFO, a device, a directory or a link loop is reported as
 * a bad file instead of being read, and a file over {@linkcode MAX_SESSION_FILE_BYTES} is
 * never read at all.
 * @module
 */
import type { Fs } from "../platform/types.ts";
import type { SessionRecord } from "./record.ts";
import { validateRecord } from "./validate_record.ts";
import { errorMessage, errorName, isADirectory, isNotFound } from "../platform/fs_errors.ts";

/** Largest session file clinvk reads (records are a few KB; the first prompt is capped). */
export const MAX_SESSION_FILE_BYTES = 1024 * 1024;

/** What identifies one version of a file: mtime (ms), size and inode. */
export interface FileStamp {
  mtime: number;
  size: number;
  ino: number;
}

/** What reading a session file found. */
export type RecordRead =
  | { kind: "ok"; record: SessionRecord; text: string; stamp: FileStamp }
  | { kind: "missing" }
  | { kind: "bad"; reason: string; stamp: FileStamp };

/** What `lstat` (and `stat` of a link's target) says about a directory entry. */
export type FileProbe =
  | { kind: "file"; stamp: FileStamp }
  | { kind: "missing" }
  | { kind: "bad"; reason: string; stamp: FileStamp };

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
const NO_STAMP: FileStamp = { mtime: 0, size: 0, ino: 0 };

/** The stamp of a `Deno.FileInfo`. */
export function stampOf(info: Deno.FileInfo): FileStamp {
  return { mtime: info.mtime?.getTime() ?? 0, size: info.size, ino: info.ino ?? 0 };
}

/** Whether two stamps describe the same version of a file. */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtime === b.mtime && a.size === b.size && a.ino === b.ino;
}

/** Names the kind of a file that is not a regular one. */
function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

/** Why a link's target cannot be looked at, in words. */
function brokenLink(error: unknown): string {
  const name = errorName(error);
  if (name === "NotFound") return "a symbolic link to a file that does not exist";
  if (name === "FilesystemLoop") return "a symbolic link loop";
  if (name === "NotADirectory") return "a symbolic link through a non-directory";
  return `a symbolic link that cannot be followed (${errorMessage(error)})`;
}

/**
 * Looks at `path` without opening it: a regular file (or a link to one) of a sane size is a
 * `file`; anything else is `bad` with the reason.
 */
export async function probeFile(fs: Fs, path: string): Promise<FileProbe> {
  let info: Deno.FileInfo;
  try {
    info = await fs.lstat(path);
  } catch (error) {
    if (isNotFound(error)) return { kind: "missing" };
    if (errorName(error) === "NotCapable") throw error;
    return { kind: "bad", reason: `cannot be read (${errorMessage(error)})`, stamp: NO_STAMP };
  }
  if (info.isSymlink) {
    const link = stampOf(info);
    try {
      info = await fs.stat(path);
    } catch (error) {
      if (errorName(error) === "NotCapable") throw error;
      return { kind: "bad", reason: brokenLink(error), stamp: link };
    }
  }
  const stamp = stampOf(info);
  if (!info.isFile) return { kind: "bad", reason: `${kindOf(info)}, not a session file`, stamp };
  if (info.size > MAX_SESSION_FILE_BYTES) {
    return {
      kind: "bad",
      reason: `too large (${info.size} bytes; a session file is at most ${MAX_SESSION_FILE_BYTES})`,
      stamp,
    };
  }
  return { kind: "file", stamp };
}

/** Parses and validates the bytes of `<stem>.json`. */
export function parseRecordBytes(
  bytes: Uint8Array,
  stem: string,
): { kind: "ok"; record: SessionRecord; text: string } | { kind: "bad"; reason: string } {
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
  return result.ok
    ? { kind: "ok", record: result.record, text }
    : { kind: "bad", reason: result.reason };
}

/**
 * Reads `<stem>.json` at `path` after {@linkcode probeFile} found it to be a regular file;
 * `probe` may be passed when the caller already has it.
 */
export async function readRecord(
  fs: Fs,
  path: string,
  stem: string,
  probe?: FileProbe,
): Promise<RecordRead> {
  const seen = probe ?? await probeFile(fs, path);
  if (seen.kind !== "file") return seen;
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (errorName(error) === "NotCapable") throw error;
    if (isNotFound(error)) return { kind: "missing" };
    const reason = isADirectory(error)
      ? "a directory, not a session file"
      : `cannot be read (${errorMessage(error)})`;
    return { kind: "bad", reason, stamp: seen.stamp };
  }
  // The file may have been replaced between the look and the read: the bytes decide.
  const stamp = bytes.length === seen.stamp.size ? seen.stamp : { ...seen.stamp, mtime: -1 };
  if (bytes.length > MAX_SESSION_FILE_BYTES) {
    return { kind: "bad", reason: "too large", stamp };
  }
  const parsed = parseRecordBytes(bytes, stem);
  return parsed.kind === "ok" ? { ...parsed, stamp } : { ...parsed, stamp };
}

/** The bytes clinvk writes for a record: 2-space JSON and a trailing newline (jq-friendly). */
export function encodeRecord(record: SessionRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record, null, 2) + "\n");
}
