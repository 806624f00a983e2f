/**
 * Whether a command can be started: the file `PATH` (or the path given) leads to, found the way
 * the OS finds it, without starting anything.
 * @module
 */
import { delimiter, isAbsolute, join } from "node:path";
import type { Env, Fs } from "./types.ts";

/** Where {@linkcode findExecutable} looked, and what it found. */
export interface ExecutableLookup {
  /** The file that would run, when one was found. */
  path?: string;
  /** Why none was found (not on PATH, not executable, not readable). */
  reason?: string;
}

/**
 * Finds the executable `command` would start: a name with a `/` is checked as given (relative to
 * `cwd`), a bare name is searched in each `PATH` directory in order (on Windows with each `PATHEXT`
 * extension, as `resolveExecutable` tries them). A file counts when it is a regular file with an execute bit (any file
 * on Windows). Nothing is started.
 *
 * @example
 * ```ts ignore
 * const found = await findExecutable("claude", { fs: Deno, env, os: Deno.build.os, cwd: "/" });
 * found.path ?? found.reason; // "/usr/local/bin/claude" or "not found on PATH"
 * ```
 */
export async function findExecutable(
  command: string,
  options: { fs: Pick<Fs, "stat">; env: Env; os: typeof Deno.build.os; cwd: string },
): Promise<ExecutableLookup> {
  const { fs, env, os } = options;
  if (command === "") return { reason: "the command is empty" };
  const hasDir = command.includes("/") || (os === "windows" && command.includes("\\"));
  if (hasDir) {
    const path = isAbsolute(command) ? command : join(options.cwd, command);
    const why = await notRunnable(fs, path, os);
    return why === undefined ? { path } : { reason: why };
  }
  const dirs = (safeGet(env, "PATH") ?? "").split(os === "windows" ? ";" : delimiter)
    .filter((dir) => dir !== "");
  const names = os === "windows" ? windowsNames(command, safeGet(env, "PATHEXT")) : [command];
  for (const dir of dirs) {
    for (const name of names) {
      const path = join(dir, name);
      if (await notRunnable(fs, path, os) === undefined) return { path };
    }
  }
  return { reason: "not found on PATH" };
}

/** Why `path` cannot be run, or `undefined` when it can. */
async function notRunnable(
  fs: Pick<Fs, "stat">,
  path: string,
  os: typeof Deno.build.os,
): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await fs.stat(path);
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "NotCapable" || name === "PermissionDenied") return `${path} cannot be read`;
    return `${path} does not exist`;
  }
  if (!info.isFile) return `${path} is not a file`;
  if (os !== "windows" && info.mode !== null && (info.mode & 0o111) === 0) {
    return `${path} is not executable`;
  }
  return undefined;
}

function windowsNames(command: string, pathext: string | undefined): string[] {
  const extensions = (pathext || ".COM;.EXE;.BAT;.CMD").split(";").map((e) =>
    e.trim().toLowerCase()
  )
    .filter(Boolean);
  const lower = command.toLowerCase();
  return extensions.some((ext) => lower.endsWith(ext))
    ? [command]
    : extensions.map((e) => command + e);
}

function safeGet(env: Env, name: string): string | undefined {
  try {
    return env.get(name);
  } catch {
    return undefined;
  }
}
