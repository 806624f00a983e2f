/**
 * Codex's JSON events never name the model. When the user did not pick one, the model Codex
 * uses is the top-level `model = "…"` of its own `config.toml`; read that so sessions and JSON
 * output still say which model ran.
 * @module
 */
import { join } from "node:path";
import type { Env, Fs } from "../../platform/types.ts";

/**
 * The `model` set at the top level of `$CODEX_HOME/config.toml` (default `~/.codex`), or
 * `undefined` when there is no such file or key (then Codex's built-in default applies, which
 * clinvk cannot know).
 */
export async function codexConfiguredModel(fs: Fs, env: Env): Promise<string | undefined> {
  const home = env.get("CODEX_HOME") ||
    join(env.get("HOME") || env.get("USERPROFILE") || "", ".codex");
  let text: string;
  try {
    text = await fs.readTextFile(join(home, "config.toml"));
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    // Keys after the first [table] header belong to that table (e.g. a profile's model).
    if (/^\s*\[/.test(line)) return undefined;
    const match = /^\s*model\s*=\s*(?:"([^"]*)"|'([^']*)')\s*(#.*)?$/.exec(line);
    if (match) return (match[1] ?? match[2]) || undefined;
  }
  return undefined;
}
