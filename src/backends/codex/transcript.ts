/**
 * Where Codex keeps a thread's rollout (samples/README.md, "sessions on disk").
 * @module
 */
import { join } from "node:path";
import type { BackendContext } from "../types.ts";

/**
 * `$CODEX_HOME` (default `~/.codex`)`/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`, found by
 * its id in the name; the newest day first.
 */
export async function codexTranscriptPath(
  context: BackendContext,
  backendSessionId: string,
): Promise<string | undefined> {
  if (!/^[0-9A-Za-z-]+$/.test(backendSessionId)) return undefined;
  const home = context.env.get("HOME") ?? context.env.get("USERPROFILE");
  const root = context.env.get("CODEX_HOME") || (home ? join(home, ".codex") : undefined);
  if (!root) return undefined;
  const suffix = `-${backendSessionId}.jsonl`;
  const names = async (dir: string) => {
    try {
      return (await Array.fromAsync(context.fs.readDir(dir))).map((e) => e.name).sort().reverse();
    } catch {
      return [];
    }
  };
  const sessions = join(root, "sessions");
  for (const year of await names(sessions)) {
    for (const month of await names(join(sessions, year))) {
      for (const day of await names(join(sessions, year, month))) {
        const dir = join(sessions, year, month, day);
        const file = (await names(dir)).find((n) => n.startsWith("rollout-") && n.endsWith(suffix));
        if (file) return join(dir, file);
      }
    }
  }
  return undefined;
}
