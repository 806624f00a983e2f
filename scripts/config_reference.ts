/**
 * Writes docs/config.md from the config schema (the one source of truth for keys), or with
 * `--check` fails when the file is out of date.
 *
 *     deno run --allow-read=docs --allow-write=docs scripts/config_reference.ts [--check]
 * @module
 */
import { renderConfigReference } from "../src/config/render.ts";

/** The whole docs/config.md text. */
export function configReferenceDocument(): string {
  return [
    "# Configuration keys",
    "",
    "Generated from `src/config/schema.ts` by `deno task docs`; do not edit by hand.",
    "",
    "The file is `~/.clinvk/config.yaml` (or `$CLINVK_HOME/config.yaml`, or `--config PATH`).",
    "String values may use `${VAR}` and `${VAR:-default}` to read the environment.",
    "",
    renderConfigReference(),
  ].join("\n");
}

if (import.meta.main) {
  const path = new URL("../docs/config.md", import.meta.url);
  const text = configReferenceDocument();
  if (Deno.args.includes("--check")) {
    const current = await Deno.readTextFile(path).catch(() => "");
    if (current !== text) {
      console.error("docs/config.md is out of date: run deno task docs");
      Deno.exit(1);
    }
  } else {
    await Deno.writeTextFile(path, text);
  }
}
