/**
 * What `clinvk version` prints. Kept apart from the command tree so that `clinvk version` can
 * answer without loading it (the start-up floor every other command is measured against).
 * @module
 */
import type { Platform } from "../platform/types.ts";
import { VERSION } from "../version.ts";

/** The version text (or, with `json`, object) of clinvk, Deno and the platform. */
export function versionText(platform: Pick<Platform, "runtime" | "os">, json: boolean): string {
  const { runtime } = platform;
  const info = {
    clinvk: VERSION,
    deno: runtime.deno,
    v8: runtime.v8,
    typescript: runtime.typescript,
    platform: `${platform.os}-${runtime.arch}`,
  };
  return json
    ? JSON.stringify(info, null, 2) + "\n"
    : `clinvk ${info.clinvk}\ndeno ${info.deno} (v8 ${info.v8}, typescript ${info.typescript})\nplatform ${info.platform}\n`;
}

/**
 * Whether `args` asks only for the version (`version`, `version --json`, `--version`), which
 * needs no command tree.
 */
export function versionRequest(
  args: readonly string[],
): { json: boolean; short: boolean } | undefined {
  if (args.length === 1 && args[0] === "--version") return { json: false, short: true };
  if (args[0] !== "version" || args.length > 2) return undefined;
  if (args.length === 1) return { json: false, short: false };
  return args[1] === "--json" ? { json: true, short: false } : undefined;
}
