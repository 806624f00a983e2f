/**
 * What a backend plug-in sees of the machine during one turn.
 * @module
 */
import type { BackendContext } from "../backends/types.ts";
import type { Config } from "../config/schema.ts";
import type { Platform } from "../platform/types.ts";

/**
 * The context of backend `name` running in `workdir`: the platform's files and clock, and the
 * environment the backend process gets (clinvk's, overlaid with `backends.<name>.env`), so a
 * plug-in finds the backend's own files (`GEMINI_CLI_HOME`, `CODEX_HOME`) where the backend will.
 */
export function backendContext(
  platform: Platform,
  config: Config,
  name: string,
  workdir: string,
): BackendContext {
  const extra = config.backends[name]?.env ?? {};
  return {
    fs: platform.fs,
    env: { get: (key) => (Object.hasOwn(extra, key) ? extra[key] : platform.env.get(key)) },
    clock: platform.clock,
    workdir,
  };
}
