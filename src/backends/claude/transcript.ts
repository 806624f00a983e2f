/**
 * Where Claude Code keeps a session's transcript (samples/README.md, "sessions on disk").
 * @module
 */
import { join } from "node:path";
import type { BackendContext } from "../types.ts";

/**
 * `$CLAUDE_CONFIG_DIR` (default `~/.claude`)`/projects/<workdir, non-alphanumerics → '-'>/<id>.jsonl`,
 * when that file exists.
 */
export async function claudeTranscriptPath(
  context: BackendContext,
  backendSessionId: string,
): Promise<string | undefined> {
  if (!/^[0-9A-Za-z-]+$/.test(backendSessionId)) return undefined;
  const home = context.env.get("HOME") ?? context.env.get("USERPROFILE");
  const root = context.env.get("CLAUDE_CONFIG_DIR") || (home ? join(home, ".claude") : undefined);
  if (!root) return undefined;
  const path = join(
    root,
    "projects",
    context.workdir.replace(/[^A-Za-z0-9]/g, "-"),
    `${backendSessionId}.jsonl`,
  );
  try {
    return (await context.fs.stat(path)).isFile ? path : undefined;
  } catch {
    return undefined;
  }
}
