/**
 * Where requests may run a backend. With `server.allowed_workdirs` empty, only in the server's
 * own workdir; otherwise in any of those directories or below them. Every path is resolved
 * through symlinks first (a link inside a root that points at `/etc` is outside), and system
 * directories are refused whatever the roots say.
 * @module
 */
import { isAbsolute, resolve, sep } from "node:path";
import { usageError } from "../errors.ts";
import type { Fs } from "../platform/types.ts";
import { ApiError } from "./api_error.ts";

/** Where requests may run. */
export interface WorkdirPolicy {
  /** Real path a request runs in when it names none. */
  readonly defaultWorkdir: string;
  /** Real paths of the allowed roots; empty = only `defaultWorkdir`. */
  readonly roots: readonly string[];
}

/** Directories no request may run in (or below), on any configuration. */
const SYSTEM_DIRS = [
  "/etc",
  "/bin",
  "/sbin",
  "/usr",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/boot",
  "/dev",
  "/proc",
  "/sys",
  "/run",
  "/var/run",
  "/System",
  "/Library",
  "/private/etc",
  "/private/var/run",
  "C:\\Windows",
  "C:\\Program Files",
  "C:\\Program Files (x86)",
];

/** Whether `path` is `root` or below it; Windows paths compare without case, others with. */
function isWithin(path: string, root: string): boolean {
  const windows = /^[A-Za-z]:[\\/]/.test(root);
  const a = windows ? path.toLowerCase() : path;
  const b = windows ? root.toLowerCase() : root;
  const separator = windows ? "\\" : sep;
  return a === b || a.startsWith(b.endsWith(separator) ? b : b + separator);
}

/** Whether `realPath` is the file-system root or inside a system directory. */
export function isSystemPath(realPath: string): boolean {
  if (resolve(realPath) === resolve(realPath, "..")) return true; // "/" or "C:\"
  return SYSTEM_DIRS.some((dir) => isWithin(realPath, dir));
}

/** The real path of `path` when it is an existing directory; `undefined` otherwise. */
export async function realDirectory(fs: Fs, path: string): Promise<string | undefined> {
  try {
    const real = await fs.realPath(path);
    return (await fs.stat(real)).isDirectory ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the policy from config and the server's workdir (already an absolute path).
 *
 * @throws {ClinvkError} exit 2 when a root or the workdir does not exist or is a system path.
 */
export async function createWorkdirPolicy(
  fs: Fs,
  workdir: string,
  allowed: readonly string[],
): Promise<WorkdirPolicy> {
  const check = async (path: string, what: string) => {
    const real = await realDirectory(fs, path);
    if (!real) throw usageError(`${what} ${path} is not an existing directory`);
    if (isSystemPath(real)) {
      throw usageError(
        `${what} ${path} is a system directory; clinvk serve never runs backends there`,
        "Point it at a project directory.",
      );
    }
    return real;
  };
  const defaultWorkdir = await check(workdir, "The server's workdir");
  const roots: string[] = [];
  for (const root of allowed) {
    if (!isAbsolute(root)) {
      throw usageError(`server.allowed_workdirs entry ${root} is not an absolute path`);
    }
    roots.push(await check(root, "server.allowed_workdirs entry"));
  }
  return { defaultWorkdir, roots };
}

/** Whether a real directory path is allowed by `policy`. */
export function isAllowedWorkdir(policy: WorkdirPolicy, realPath: string): boolean {
  if (isSystemPath(realPath)) return false;
  if (policy.roots.length === 0) return realPath === policy.defaultWorkdir;
  return policy.roots.some((root) => isWithin(realPath, root));
}

/**
 * The real directory a request runs in: `requested` (relative to the default workdir) or the
 * default. Throws a 400 {@linkcode ApiError} for a directory that does not exist and a 403 for
 * one outside the allowed roots.
 */
export async function requestWorkdir(
  fs: Fs,
  policy: WorkdirPolicy,
  requested: string | undefined,
): Promise<string> {
  if (requested === undefined || requested === "") return policy.defaultWorkdir;
  const path = resolve(policy.defaultWorkdir, requested);
  const real = await realDirectory(fs, path);
  if (!real) {
    throw new ApiError("invalid_request", `Workdir ${requested} is not an existing directory`, {
      code: "workdir_not_found",
    });
  }
  if (!isAllowedWorkdir(policy, real)) throw workdirRefused(requested, real, policy);
  return real;
}

/** The 403 for a workdir outside the allowed roots. */
export function workdirRefused(shown: string, real: string, policy: WorkdirPolicy): ApiError {
  const where = policy.roots.length === 0
    ? `only ${policy.defaultWorkdir} (set server.allowed_workdirs to allow more)`
    : `only under ${policy.roots.join(", ")}`;
  const resolved = shown === real ? "" : ` (resolves to ${real})`;
  return new ApiError(
    "permission",
    `Workdir ${shown}${resolved} is not allowed; this server runs backends in ${where}`,
    { code: "workdir_not_allowed" },
  );
}
