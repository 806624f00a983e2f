/**
 * Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it
 * over the target. `rename` within one directory is atomic, so a crash at any instant leaves
 * the old file or the new one, never none or half. The target is never deleted first.
 * @module
 */
import { join } from "node:path";
import { renameWithRetry } from "../platform/rename_retry.ts";
import type { Fs } from "../platform/types.ts";
import { generateId } from "./ids.ts";
import { stampOf } from "./session_file.ts";
import type { FileStamp } from "./session_file.ts";

/** Prefix of every temp file; a dot-name so the `*.json` glob never sees it. */
export const TEMP_PREFIX = ".tmp-";

/** Modification time (ms), size and inode of a file that was just written. */
export type WrittenFile = FileStamp;

/** Name of a temp file owned by `pid`: `.tmp-<pid>-<random>`, so a sweeper can tell whose it is. */
export function tempName(pid: number): string {
  return `${TEMP_PREFIX}${pid}-${generateId()}`;
}

/** The pid encoded in a temp file name, or `undefined` when the name is not one of ours. */
export function tempOwner(name: string): number | undefined {
  const match = /^\.tmp-(\d+)-[a-z0-9]+$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Creates `path` exclusively (mode 0600: `O_EXCL`, so a link planted at its name is never
 * followed), writes `data`, fsyncs it and returns its stamp. A rename keeps the inode and the
 * mtime, so this is the stamp the file will have wherever it is renamed to.
 */
export async function writeSyncedFile(
  fs: Fs,
  path: string,
  data: Uint8Array,
): Promise<WrittenFile> {
  const file = await fs.open(path, { write: true, createNew: true, mode: 0o600 });
  try {
    let offset = 0;
    while (offset < data.length) offset += await file.write(data.subarray(offset));
    // Without fsync a power loss after the rename can leave a renamed but empty file.
    await file.sync();
    return stampOf(await file.stat());
  } finally {
    file.close();
  }
}

/**
 * Atomically replaces `<dir>/<name>` with `data` (mode 0600) and returns the new file's mtime,
 * size and inode as the file system recorded them. The temp file is created exclusively
 * (`O_EXCL`), so a link planted at its name is never followed, and the rename replaces a
 * link planted at the target instead of writing through it.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("{}\n");
 * await writeFileAtomic(Deno, "/home/me/.clinvk/sessions", "k3v9q0x7ma.json", bytes, Deno.pid);
 * ```
 */
export async function writeFileAtomic(
  fs: Fs,
  dir: string,
  name: string,
  data: Uint8Array,
  pid: number,
): Promise<WrittenFile> {
  const temp = join(dir, tempName(pid));
  let written: WrittenFile;
  try {
    written = await writeSyncedFile(fs, temp, data);
    // Windows refuses the rename while another process has the target open; retried there.
    await renameWithRetry(fs, temp, join(dir, name));
  } catch (error) {
    await fs.remove(temp).catch(() => {});
    throw error;
  }
  return written;
}
