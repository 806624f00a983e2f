/**
 * The built-in backends by name.
 * @module
 */
import { usageError } from "../errors.ts";
import { claudeBackend } from "./claude.ts";
import { codexBackend } from "./codex.ts";
import { geminiBackend } from "./gemini.ts";
import { type Backend, BACKEND_NAMES, type BackendName } from "./types.ts";

/** Names of the built-in backends, in display order. */
export const backendNames: readonly BackendName[] = BACKEND_NAMES;

const BACKENDS: Readonly<Record<BackendName, Backend>> = {
  claude: claudeBackend,
  codex: codexBackend,
  gemini: geminiBackend,
};

/** Whether `name` is a built-in backend name. */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * The adapter for `name`; an unknown name is a usage error (exit 2) listing the valid ones.
 *
 * @example
 * ```ts
 * getBackend("codex").jsonArgs({ prompt: "hi" }); // ["exec", "--json", "hi"]
 * ```
 */
export function getBackend(name: string): Backend {
  if (!isBackendName(name)) {
    throw usageError(`Unknown backend "${name}"`, `Use one of: ${BACKEND_NAMES.join(", ")}.`);
  }
  return BACKENDS[name];
}
