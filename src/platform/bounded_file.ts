/**
 * Reading a small text file that a user names (config.yaml, `--config PATH`) without the ways
 * a path can hang or exhaust clinvk: a named pipe with no writer blocks `open` for ever, and a
 * link to `/dev/zero` or `/dev/urandom` never ends. Only regular files — and pipes that are
 * already open, as `--config <(command)` and `/dev/stdin` give — are read, and never more than
 * the limit.
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import type { Fs } from "./types.ts";

/** Why a path was not read. */
export type Refusal = "directory" | "fifo" | "device" | "socket" | "too-large" | "not-utf8";

/** Thrown by {@linkcode readBoundedText} for a path that is not a small text file. */
export class RefusedFileError extends Error {
  /** A refused file, and why. */
  constructor(readonly refusal: Refusal, readonly path: string, readonly limit: number) {
    super(`${path}: ${refusal}`);
    this.name = "RefusedFileError";
  }
}

/** How many links are followed before giving up (Linux's own limit is 40). */
const MAX_LINKS = 40;

/**
 * Whether `path` is a pipe some process already holds open (Linux shows `/dev/fd/63` as a link
 * to `pipe:[1234]`; BSD and macOS show it as the pipe itself, not a link). Opening such a pipe
 * never waits for a writer; opening a named pipe on disk does.
 */
async function isOpenPipe(fs: Fs, path: string): Promise<boolean> {
  let current = path;
  for (let hop = 0; hop < MAX_LINKS; hop++) {
    if (!(await fs.lstat(current)).isSymlink) {
      return hop === 0 && /^\/dev\/(fd\/\d+|stdin)$/.test(path);
    }
    const target = await fs.readLink(current);
    if (/^pipe:\[\d+\]$/.test(target)) return true;
    current = isAbsolute(target) ? target : join(dirname(current), target);
  }
  return false;
}

/** The refusal for a path that stat describes, or `undefined` when it may be opened. */
async function refusalFor(fs: Fs, path: string, info: Deno.FileInfo): Promise<Refusal | undefined> {
  if (info.isFile) return undefined;
  if (info.isDirectory) return "directory";
  if (info.isFifo) return await isOpenPipe(fs, path) ? undefined : "fifo";
  if (info.isSocket) return "socket";
  return "device";
}

/**
 * Reads `path` as UTF-8 text of at most `limit` bytes. `/dev/null` (or a link to it) reads as
 * empty.
 *
 * @throws {RefusedFileError} for a directory, a named pipe, a device, a socket, a file over
 * `limit` bytes, or bytes that are not UTF-8; the file-system error as is otherwise (NotFound,
 * PermissionDenied, …).
 */
export async function readBoundedText(fs: Fs, path: string, limit: number): Promise<string> {
  const refused = await refusalFor(fs, path, await fs.stat(path));
  // `--config /dev/null` is the usual way to say "no config file": it reads as empty.
  if (refused === "device" && await fs.realPath(path) === "/dev/null") return "";
  if (refused) throw new RefusedFileError(refused, path, limit);
  const file = await fs.open(path, { read: true });
  let bytes: Uint8Array;
  try {
    // The path may have been swapped between the check and the open: check what was opened.
    const opened = await file.stat();
    if (!opened.isFile && !opened.isFifo) throw new RefusedFileError("device", path, limit);
    if (opened.isFile && opened.size > limit) throw new RefusedFileError("too-large", path, limit);
    bytes = await readUpTo(file, limit + 1);
  } finally {
    file.close();
  }
  if (bytes.length > limit) throw new RefusedFileError("too-large", path, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RefusedFileError("not-utf8", path, limit);
  }
}

async function readUpTo(file: Deno.FsFile, limit: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(limit);
  let filled = 0;
  while (filled < limit) {
    const count = await file.read(buffer.subarray(filled));
    if (count === null) break;
    filled += count;
  }
  return buffer.subarray(0, filled);
}
