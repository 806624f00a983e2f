/**
 * Loading the large parts of clinvk — the command tree, the HTTP server, runs, the YAML parser —
 * only when a command needs them. Deno prepares every module that an `import("…")` with a
 * literal specifier names when the program starts, whether or not it ever runs; a specifier
 * computed at run time is not. `clinvk version` then costs little more than Deno's own start-up,
 * and a prompt does not pay for the server (docs/performance.md). Smaller parts stay literal
 * `import()`s: prepared together with the command tree in one go (each separate load costs
 * more than it saves), evaluated only when a command needs them. {@linkcode LAZY_MODULES} lists
 * them, so that `deno compile` includes them (scripts/compile_plan.ts).
 * @module
 */
import { moduleUrl } from "./module_url.ts";

/** Every module loaded through {@linkcode lazyImport}, relative to the repository root. */
export const LAZY_MODULES = [
  "src/cli/app_main.ts",
  "src/cli/serve/serve_command.ts",
  "src/cli/serve/keys_command.ts",
  "src/cli/runs/run_machinery.ts",
  "src/cli/worker/worker_command.ts",
  "src/cli/worker/worker_list_command.ts",
  "src/dispatch/nats/nats_dispatcher.ts",
  "src/config/validate.ts",
  "src/config/yaml_commands.ts",
] as const;

/** One of {@linkcode LAZY_MODULES}. */
export type LazyModule = typeof LAZY_MODULES[number];

/**
 * Imports `path` (one of {@linkcode LAZY_MODULES}) when called; `T` is its type, e.g.
 * `lazyImport<typeof import("./config/validate.ts")>("src/config/validate.ts")`.
 *
 * @example
 * ```ts ignore
 * const { parseConfigText } = await lazyImport<typeof import("./config/validate.ts")>(
 *   "src/config/validate.ts",
 * );
 * ```
 */
export function lazyImport<T>(path: LazyModule): Promise<T> {
  return import(moduleUrl(path).href);
}
