/**
 * Replacing a small text file atomically, so a crash or a full disk leaves the old config or
 * the new one, never a half-written file.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { renameWithRetry } from "../platform/rename_retry.ts";
import type { Fs } from "../platform/types.ts";
import { isAlreadyExists, isNotFound } from "../platform/fs_errors.ts";

/** Options of {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Mode of a newly created file (an existing file keeps its own). Ignored on Windows. */
  mode: number;
  /** Mode of directories created on the way. */
  dirMode: number;
}

/**
 * Writes `text` to `path` through a temp file in the same directory (so the rename cannot
 * cross file systems), fsynced before it is renamed over the target. The target is never
 * deleted first. A symlinked target (dotfile managers do that) is followed, so the link
 * survives and the file it points to is replaced. The temp file is created with O_EXCL under a
 * random name, so a link planted at its name is never followed (a new name is tried instead).
 * Missing parent directories are created.
 *
 * @throws the underlying file-system error; the temp file is removed first.
 */
export async function writeFileAtomic(
  fs: Fs,
  path: string,
  text: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const target = await realTarget(fs, path);
  const dir = dirname(target);
  await fs.mkdir(dir, { recursive: true, mode: options.dirMode });
  const mode = await existingMode(fs, target) ?? options.mode;
  const { temp, file } = await createTemp(fs, target, mode);
  try {
    try {
      const bytes = new TextEncoder().encode(text);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    // Windows refuses the rename while another process has the target open; retried there.
    await renameWithRetry(fs, temp, target);
  } catch (error) {
    await fs.remove(temp).catch(() => {});
    throw error;
  }
}

/** The name every temp file for `target` starts with: `.config.yaml.tmp-`. */
export function tempPrefix(target: string): string {
  return `.${basename(target)}.tmp-`;
}

/** Creates a new temp file beside `target`; never opens an existing one (or a link). */
async function createTemp(
  fs: Fs,
  target: string,
  mode: number,
): Promise<{ temp: string; file: Deno.FsFile }> {
  for (let attempt = 0;; attempt++) {
    const temp = join(dirname(target), `${tempPrefix(target)}${crypto.randomUUID()}`);
    try {
      return { temp, file: await fs.open(temp, { write: true, createNew: true, mode }) };
    } catch (error) {
      if (!isAlreadyExists(error) || attempt >= 3) throw error;
    }
  }
}

/** The file `path` names once its links are resolved; `path` itself when it does not exist. */
export async function realTarget(fs: Fs, path: string): Promise<string> {
  try {
    return await fs.realPath(path);
  } catch (error) {
    if (isNotFound(error)) return path;
    throw error;
  }
}

async function existingMode(fs: Fs, path: string): Promise<number | undefined> {
  try {
    const mode = (await fs.stat(path)).mode;
    return mode === null ? undefined : mode & 0o777;
  } catch {
    return undefined;
  }
}
