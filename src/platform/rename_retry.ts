/**
 * Renaming a temp file over its target, with retries on Windows. There a rename fails while
 * another process has the target open without delete sharing — a virus scanner, the search
 * indexer, an editor, another clinvk reading it — and succeeds a moment later. On other
 * systems a rename over an open file always works, so the same errors there are final.
 * @module
 */
import type { Fs } from "./types.ts";

/** Options of {@linkcode renameWithRetry}; the defaults are the running system's. */
export interface RenameRetryOptions {
  /** Operating system; retries happen only on `"windows"`. Default: `Deno.build.os`. */
  os?: typeof Deno.build.os;
  /** Waits between attempts (tests pass a recording fake). */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts in all, the first included. Default: {@linkcode RENAME_ATTEMPTS}. */
  attempts?: number;
}

/** Attempts before giving up: about two seconds of waiting in all. */
export const RENAME_ATTEMPTS = 10;

/** Delay before retry `n` (0-based): 10 ms doubling, capped so no single wait is long. */
export function renameDelay(retry: number): number {
  return Math.min(10 * 2 ** retry, 500);
}

/** Whether a failed rename may succeed when tried again (Windows sharing violations). */
export function isTransientRenameError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return error.name === "PermissionDenied" || error.name === "Busy" ||
    code === "EPERM" || code === "EACCES" || code === "EBUSY";
}

/**
 * `fs.rename(from, to)`, retried with backoff on Windows while the target is locked by
 * another process. Any other error, and the last one after every attempt, is thrown as is.
 *
 * @example
 * ```ts
 * import { renameWithRetry } from "./rename_retry.ts";
 * await renameWithRetry(Deno, "/tmp/.config.yaml.tmp-1", "/tmp/config.yaml");
 * ```
 */
export async function renameWithRetry(
  fs: Pick<Fs, "rename">,
  from: string,
  to: string,
  options: RenameRetryOptions = {},
): Promise<void> {
  const os = options.os ?? Deno.build.os;
  const sleep = options.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms)));
  const attempts = os === "windows" ? Math.max(1, options.attempts ?? RENAME_ATTEMPTS) : 1;
  for (let attempt = 1;; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      if (attempt >= attempts || !isTransientRenameError(error)) throw error;
      await sleep(renameDelay(attempt - 1));
    }
  }
}
