/**
 * Where clinvk's own modules are, for the few it loads by a computed name: the lazily loaded
 * parts (`lazy_import.ts`) and worker threads (`worker_modules.ts`).
 *
 * clinvk runs either from its TypeScript sources (a checkout, `deno run jsr:…`, a compiled
 * binary) or from the bundle that `deno task bundle` builds (one JavaScript file per part,
 * sharing chunks: Deno then loads a few dozen files instead of ~170 modules, so every command
 * starts sooner; docs/performance.md). In the bundle each module loaded by name is an entry
 * point at the same path, as JavaScript (`src/cli/app_main.ts` → `<bundle>/cli/app_main.js`),
 * and this module's code sits in a file at the bundle's top — esbuild puts code that several
 * entry points share in top-level chunks, and `tests/scripts/bundle_test.ts` checks that
 * every such name resolves to a file of a real bundle.
 * @module
 */

/** Whether clinvk runs from its bundle (JavaScript) rather than from its sources. */
export const BUNDLED = import.meta.url.endsWith(".js");

/**
 * The URL of the module at `path` (relative to the repository root, e.g.
 * `src/sessions/session_scan_worker.ts`) wherever clinvk runs from.
 *
 * @example
 * ```ts
 * import { moduleUrl } from "./module_url.ts";
 * const url = moduleUrl("src/sessions/session_scan_worker.ts");
 * console.log(url.pathname.endsWith("session_scan_worker.ts")); // true from the sources
 * ```
 */
export function moduleUrl(path: `src/${string}.ts`): URL {
  return BUNDLED
    ? new URL(`./${path.slice("src/".length, -".ts".length)}.js`, import.meta.url)
    : new URL(`../${path}`, import.meta.url);
}
