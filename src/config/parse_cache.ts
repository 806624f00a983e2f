/**
 * A cache of the parsed config file, so that a command does not load the YAML parser — about a
 * tenth of a second, more than everything else a prompt costs clinvk — when `config.yaml` has
 * not changed since the last run (docs/performance.md). The cache holds the file's exact text
 * and what parsing it gave (before `${VAR}` expansion): a different text, or a clinvk whose
 * config schema differs, parses again. Only a valid file is cached; a cache that cannot be read
 * or written changes nothing.
 * @module
 */
import { join } from "node:path";
import type { Fs } from "../platform/types.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { BACKEND_KEYS, type Config, CONFIG_KEYS } from "./schema.ts";

/**
 * The cache file: like everything clinvk keeps besides the config and the sessions, a dot-name
 * in `sessions/` (SPEC §2), and without a `.json` ending (`sessions/*.json` are sessions only).
 */
export const CACHE_NAME = ".config-cache";

interface CacheEntry {
  schema: string;
  path: string;
  text: string;
  config: Config;
}

/** A fingerprint of the config schema: keys, types and defaults. */
function schemaStamp(): string {
  const text = JSON.stringify([CONFIG_KEYS, BACKEND_KEYS.map((k) => [k.key, k.type, k.default])]);
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return `${text.length}:${(hash >>> 0).toString(16)}`;
}

/** The config parsed from exactly `text` at `path`, when the cache in `home` holds it. */
export async function cachedConfig(
  fs: Pick<Fs, "readTextFile">,
  home: string,
  path: string,
  text: string,
): Promise<Config | undefined> {
  try {
    const entry = JSON.parse(
      await fs.readTextFile(join(home, "sessions", CACHE_NAME)),
    ) as CacheEntry;
    if (entry.path !== path || entry.text !== text || entry.schema !== schemaStamp()) {
      return undefined;
    }
    return entry.config;
  } catch {
    return undefined;
  }
}

/** Remembers that `text` at `path` parses to `config` (best effort). */
export async function cacheConfig(
  fs: Fs,
  home: string,
  path: string,
  text: string,
  config: Config,
): Promise<void> {
  const entry: CacheEntry = { schema: schemaStamp(), path, text, config };
  try {
    // The store must exist already: a cache is no reason to create it.
    const dir = join(home, "sessions");
    if (!(await fs.lstat(dir)).isDirectory) return;
    await writeFileAtomic(fs, join(dir, CACHE_NAME), JSON.stringify(entry), {
      mode: 0o600,
      dirMode: 0o700,
    });
  } catch {
    // A read-only or full store: the next run parses again.
  }
}
