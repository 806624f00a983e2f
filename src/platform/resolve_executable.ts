/**
 * Finding the file a command name runs, the way Windows does it: `claude` is `claude.cmd` or
 * `claude.exe` somewhere on `PATH`, tried in `PATHEXT` order. npm installs the backend CLIs as
 * `.cmd` shims there, and `Deno.Command` needs the full path of a `.cmd` to start it.
 * @module
 */
import { win32 } from "node:path";
import type { Env } from "./types.ts";

/** What {@linkcode resolveExecutable} needs from the file system. */
export interface ExecutableProbe {
  /** Whether `path` is an existing regular file (false on any error, e.g. a denied read). */
  isFile(path: string): boolean;
}

/** The extensions Windows tries when `PATHEXT` is unset. */
export const DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD";

/**
 * The executable to start for `name`. On Windows: a name with a directory in it is completed
 * with each `PATHEXT` extension in place; a bare name is searched in each `PATH` directory,
 * in order, trying the name itself when it already ends in a `PATHEXT` extension and otherwise
 * the name plus each extension. The current directory is not searched (a planted `claude.cmd`
 * in a repository must not run). Elsewhere, and whenever nothing matches, `name` is returned
 * unchanged, so the OS's own lookup — and its "not found" error — still apply.
 *
 * @example
 * ```ts
 * import { resolveExecutable } from "./resolve_executable.ts";
 * const env = { get: (n: string) => ({ PATH: "C:\\npm", PATHEXT: ".EXE;.CMD" })[n] };
 * const probe = { isFile: (p: string) => p === "C:\\npm\\claude.cmd" };
 * resolveExecutable("claude", env, "windows", probe); // "C:\\npm\\claude.cmd"
 * resolveExecutable("claude", env, "linux", probe); // "claude"
 * ```
 */
export function resolveExecutable(
  name: string,
  env: Env,
  os: typeof Deno.build.os,
  probe: ExecutableProbe,
): string {
  if (os !== "windows" || name === "") return name;
  const extensions = pathExtensions(safeGet(env, "PATHEXT"));
  const candidates = withExtensions(name, extensions);
  if (/[\\/]/.test(name) || win32.isAbsolute(name) || /^[A-Za-z]:/.test(name)) {
    return candidates.find((candidate) => probe.isFile(candidate)) ?? name;
  }
  for (const dir of pathDirectories(safeGet(env, "PATH"))) {
    for (const candidate of candidates) {
      const path = win32.join(dir, candidate);
      if (probe.isFile(path)) return path;
    }
  }
  return name;
}

/** The `PATHEXT` extensions, lower-cased, each with its leading dot. */
function pathExtensions(value: string | undefined): string[] {
  const list = (value || DEFAULT_PATHEXT).split(";").map((ext) => ext.trim().toLowerCase())
    .filter((ext) => ext !== "")
    .map((ext) => ext.startsWith(".") ? ext : `.${ext}`);
  return [...new Set(list)];
}

/** `name` itself when it already has a runnable extension, else `name` + each extension. */
function withExtensions(name: string, extensions: string[]): string[] {
  const lower = name.toLowerCase();
  if (extensions.some((ext) => lower.endsWith(ext))) return [name];
  return extensions.map((ext) => name + ext);
}

/** `PATH` split on `;`, without empty entries or the quotes Windows allows around one. */
function pathDirectories(value: string | undefined): string[] {
  return (value ?? "").split(";").map((dir) => dir.trim().replace(/^"(.*)"$/, "$1"))
    .filter((dir) => dir !== "");
}

/** A variable that Deno will not let us read counts as unset: the OS lookup still runs. */
function safeGet(env: Env, name: string): string | undefined {
  try {
    return env.get(name);
  } catch {
    return undefined;
  }
}
