/**
 * Codex refuses to run outside a git repository unless told to (samples/codex/error-not-git-repo).
 * @module
 */
import { dirname, join } from "node:path";
import type { Fs } from "../../platform/types.ts";

/** Whether `dir` or one of its ancestors holds a `.git` entry. */
export async function isInsideGitRepo(fs: Pick<Fs, "stat">, dir: string): Promise<boolean> {
  let current = dir;
  while (true) {
    try {
      await fs.stat(join(current, ".git"));
      return true;
    } catch {
      const parent = dirname(current);
      if (parent === current) return false;
      current = parent;
    }
  }
}
