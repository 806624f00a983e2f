/**
 * Checks of the store's layout before anything is written (issue 9, items 5 and 9): every
 * path clinvk uses must be what it expects — a directory or a regular file, never a symbolic
 * link it would follow when writing — and `CLINVK_HOME` and `sessions/` must belong to this
 * user and be writable by nobody else (as ssh insists for `~/.ssh`): anyone who may plant
 * files there could make clinvk overwrite another file. A broken layout is one clear line
 * and exit 2, and nothing is created.
 * @module
 */
import { join } from "node:path";
import { usageError } from "../errors.ts";
import type { ClinvkError } from "../errors.ts";
import { errorName, isNotFound } from "../platform/fs_errors.ts";
import type { Fs } from "../platform/types.ts";
import type { StorePaths } from "./store_paths.ts";

/** What a path should be. */
export type Expected = "file" | "directory";

function describe(info: Deno.FileInfo | "dangling"): string {
  if (info === "dangling") return "a symbolic link to nothing";
  if (info.isSymlink) return "a symbolic link";
  if (info.isDirectory) return "a directory";
  if (info.isFile) return "a file";
  return "a special file";
}

/** `<path> is a directory, not a file` (exit 2), with how to mend it. */
export function brokenLayout(
  path: string,
  info: Deno.FileInfo | "dangling",
  expected: Expected,
): ClinvkError {
  const what = describe(info);
  const isDir = info !== "dangling" && info.isDirectory && !info.isSymlink;
  const remedy = isDir
    ? `Move it away (\`mv ${path} ${path}.bak\`, or \`rmdir ${path}\` if it is empty)`
    : `Move it away (\`mv ${path} ${path}.bak\`)`;
  return usageError(
    `Broken session store: ${path} is ${what}, not a ${expected}`,
    `${remedy}; clinvk recreates it.`,
  );
}

/** lstat, or `undefined` when nothing is there. */
async function look(fs: Fs, path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * A directory clinvk may be given by the user (`CLINVK_HOME`, `sessions/`): a link to a
 * directory is fine, a link to nothing or anything but a directory is not.
 */
async function checkUserDir(fs: Fs, path: string): Promise<Deno.FileInfo | undefined> {
  const own = await look(fs, path);
  if (!own) return undefined;
  let target = own;
  if (own.isSymlink) {
    try {
      target = await fs.stat(path);
    } catch (error) {
      if (errorName(error) === "NotCapable") throw error;
      throw brokenLayout(path, "dangling", "directory");
    }
  }
  if (!target.isDirectory) {
    throw usageError(
      `Broken session store: ${path} is ${describe(target)}, not a directory`,
      `Move it away (\`mv ${path} ${path}.bak\`); clinvk creates a fresh one.`,
    );
  }
  return target;
}

/** A path inside `sessions/` that clinvk writes: never a link, always the expected kind. */
async function checkOwnPath(fs: Fs, path: string, expected: Expected): Promise<void> {
  const info = await look(fs, path);
  if (!info) return;
  if (info.isSymlink) {
    let target: Deno.FileInfo | "dangling" = info;
    try {
      await fs.stat(path);
    } catch {
      target = "dangling";
    }
    throw brokenLayout(path, target, expected);
  }
  const ok = expected === "file" ? info.isFile : info.isDirectory;
  if (!ok) throw brokenLayout(path, info, expected);
}

/**
 * This process's user id, as the owner of a file it creates in `home` (and removes at once):
 * `Deno.uid()` would need `--allow-sys`, and `/proc/self` `--allow-all`. `undefined` when
 * `home` cannot be written (then only the modes are checked).
 */
async function ownUid(fs: Fs, home: string): Promise<number | undefined> {
  const probe = join(home, `.owner-probe-${crypto.randomUUID()}`);
  try {
    const file = await fs.open(probe, { write: true, createNew: true, mode: 0o600 });
    try {
      return (await file.stat()).uid ?? undefined;
    } finally {
      file.close();
      await fs.remove(probe).catch(() => {});
    }
  } catch {
    return undefined;
  }
}

/** Refuses a directory that someone else owns or may write to. */
function checkPrivate(path: string, info: Deno.FileInfo, uid: number | undefined): void {
  if (info.mode === null || info.mode === undefined) return; // Windows: no POSIX modes.
  if (uid !== undefined && info.uid !== null && info.uid !== uid && info.uid !== 0) {
    throw usageError(
      `Refusing to use ${path}: it is owned by user ${info.uid}, not by you (user ${uid})`,
      "Point CLINVK_HOME at a directory of your own.",
    );
  }
  if ((info.mode & 0o022) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    throw usageError(
      `Refusing to use ${path}: it is writable by ${
        (info.mode & 0o002) !== 0 ? "others" : "its group"
      } (mode ${mode}), so they could make clinvk overwrite your files`,
      `Run \`chmod go-w ${path}\`.`,
    );
  }
}

/**
 * Checks the whole layout under `paths` (see the module comment). Paths that do not exist yet
 * are fine: clinvk creates them.
 */
export async function checkLayout(fs: Fs, paths: StorePaths): Promise<void> {
  const home = await checkUserDir(fs, paths.home);
  const uid = home && home.uid !== 0 ? await ownUid(fs, paths.home) : undefined;
  if (home) checkPrivate(paths.home, home, uid);
  const dir = home ? await checkUserDir(fs, paths.dir) : undefined;
  if (!dir) return;
  checkPrivate(paths.dir, dir, uid);
  for (const path of [paths.leases, paths.corrupt, paths.turns, paths.staging]) {
    await checkOwnPath(fs, path, "directory");
  }
  for (
    const path of [paths.lock, paths.catalog, `${paths.catalog}-journal`, paths.retentionStamp]
  ) {
    await checkOwnPath(fs, path, "file");
  }
}

/** Refuses to write through a link planted at `path` (a lease, a journal). */
export async function refuseLink(fs: Fs, path: string, expected: Expected): Promise<void> {
  await checkOwnPath(fs, path, expected);
}
