/**
 * `deno task bundle [DIR]`: builds clinvk's bundle into `DIR` (default `dist/bundle`), for a
 * faster start: Deno then loads a few dozen JavaScript files instead of ~170 TypeScript
 * modules (docs/performance.md). Run it with the permissions of the sources, no config needed:
 * `deno run --allow-read --allow-write --allow-env --allow-run --allow-net=127.0.0.1 dist/bundle/main.js`.
 *
 * Every module clinvk loads by a computed name is an entry point — `src/main.ts`, the lazily
 * loaded parts and the worker threads — so that each lands at its own path, with the chunks
 * they share at the top (`src/module_url.ts` finds them there). npm packages are bundled too.
 * The directory is replaced as a whole: chunk names carry a hash, and an old chunk left beside
 * new ones would never be cleaned up.
 * @module
 */
import { fileURLToPath } from "node:url";
import { LAZY_MODULES } from "../src/lazy_import.ts";
import { WORKER_MODULES } from "../src/worker_modules.ts";
import { denoExecutable } from "./deno_executable.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

/** The entry point users run. */
const MAIN = "src/main.ts";

/** The bundle's entry points, relative to the repository root. */
export const BUNDLE_ENTRIES = [MAIN, ...LAZY_MODULES, ...WORKER_MODULES] as const;

/**
 * The `deno` argvs that write the bundle into `outDir`, run one after the other. `src/main.ts`
 * is bundled apart: whenever a bundled package is CommonJS (yaml), Deno 2.9.6 adds a `require`
 * shim importing `node:module` — which starts Node's compatibility layer, ~35 ms — to a chunk
 * that every entry point of the run imports. Alone, `main.ts` (which imports no package) gets
 * none, and `clinvk version` stays at Deno's own start-up. The few small modules it shares with
 * the rest (errors, version, lazy_import) are then in both; they hold no state.
 */
export function bundleRuns(outDir: string): string[][] {
  const run = (entries: readonly string[], split: boolean) => [
    "bundle",
    "--quiet",
    "--config",
    `${root}deno.json`,
    "--platform",
    "deno",
    ...(split ? ["--code-splitting"] : []),
    // Smaller files parse sooner. Not with --keep-names: Deno 2.9.6 then leaves out the
    // `require` shim that bundled CommonJS packages need ("Dynamic require of node:process
    // is not supported"). clinvk's error classes set their names themselves.
    "--minify",
    "--outdir",
    outDir,
    ...entries.map((entry) => `${root}${entry}`),
  ];
  return [run([MAIN], false), run(BUNDLE_ENTRIES.filter((entry) => entry !== MAIN), true)];
}

/**
 * Builds the bundle into `outDir`, replacing what is there. It is built beside it and swapped
 * in by renames, so that a clinvk started meanwhile finds the old bundle or the new one, never
 * a half-written one (a running `clinvk serve` or worker must still be restarted: its lazily
 * loaded chunks are renamed). Throws with `deno bundle`'s stderr.
 */
export async function buildBundle(outDir: string): Promise<void> {
  const fresh = `${outDir}.new-${Deno.pid}`;
  const old = `${outDir}.old-${Deno.pid}`;
  const removeAll = (path: string) =>
    Deno.remove(path, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  await removeAll(fresh);
  try {
    for (const args of bundleRuns(fresh)) {
      const output = await new Deno.Command(denoExecutable(), {
        args,
        stdin: "null",
        stdout: "inherit",
        stderr: "piped",
      }).output();
      if (!output.success) {
        throw new Error(`deno bundle failed:\n${new TextDecoder().decode(output.stderr).trim()}`);
      }
    }
    await lazyRequire(fresh);
    await Deno.rename(outDir, old).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.rename(fresh, outDir);
    await removeAll(old);
  } finally {
    await removeAll(fresh);
  }
}

/** Deno's `require` shim for bundled CommonJS packages, as Deno 2.9.6 writes it. */
const REQUIRE_SHIM =
  /import\{createRequire as __deno_internal_createRequire\} from "node:module";var ([\w$]+)=__deno_internal_createRequire\(import\.meta\.url\);/;

/**
 * Makes the `require` shim load nothing until a package calls it. As written, it imports
 * `node:module` — Node's compatibility layer, ~35 ms — in a chunk that every command loads,
 * though only yaml (parsing a changed config.yaml) and the NATS client ever call it, and only
 * for Node's built-in modules (esbuild resolved every other `require` when bundling), which
 * `process.getBuiltinModule` returns as `require` would.
 */
export async function lazyRequire(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await lazyRequire(path);
    if (!entry.isFile || !entry.name.endsWith(".js")) continue;
    const text = await Deno.readTextFile(path);
    if (!text.includes("__deno_internal_createRequire")) continue;
    const shim = REQUIRE_SHIM.exec(text);
    if (!shim) throw new Error(`${path}: Deno's require shim changed; update scripts/bundle.ts`);
    const lazy = `var ${shim[1]}=(id)=>{const m=globalThis.process.getBuiltinModule(id);` +
      `if(m===void 0)throw new Error("Cannot find module "+id);return m};`;
    await Deno.writeTextFile(path, text.replace(REQUIRE_SHIM, lazy));
  }
}

if (import.meta.main) {
  const outDir = Deno.args[0] ?? `${root}dist/bundle`;
  try {
    await buildBundle(outDir);
    console.log(`bundle: ${outDir}/main.js`);
  } catch (error) {
    console.error(`bundle: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
