/**
 * Pure renderers of the configuration: `config show` (YAML) and the README's key reference.
 * @module
 */
import { Document, isMap, isScalar, type YAMLMap } from "yaml";
import {
  BACKEND_KEYS,
  backendKeySpec,
  type Config,
  CONFIG_KEYS,
  describeType,
  lookupKey,
} from "./schema.ts";

/**
 * The effective configuration as YAML, in schema order, for `clinvk config show`. Unset
 * optional keys are left out. With `comments`, each key is preceded by its description.
 *
 * @example
 * ```ts
 * import { defaultConfig } from "./schema.ts";
 * renderConfigYaml(defaultConfig()).startsWith("default_backend: claude\n"); // true
 * ```
 */
export function renderConfigYaml(config: Config, options: { comments?: boolean } = {}): string {
  const doc = new Document(config);
  if (options.comments && isMap(doc.contents)) annotate(doc.contents, "");
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function annotate(map: YAMLMap, prefix: string): void {
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const path = prefix ? `${prefix}.${pair.key.value}` : String(pair.key.value);
    const found = lookupKey(path);
    if (found?.kind === "leaf") pair.key.commentBefore = ` ${found.spec.description}`;
    else if (found?.kind === "section" && isMap(pair.value)) annotate(pair.value, path);
  }
}

/** A Markdown table of every key (key, type, default, description) for the README. */
export function renderConfigReference(): string {
  const custom = BACKEND_KEYS.filter((spec) => spec.customOnly)
    .map((spec) => ({ ...backendKeySpec("<name>", spec), description: spec.describe("<name>") }));
  const rows = [...CONFIG_KEYS, ...custom].map((spec) => {
    const fallback = spec.default === undefined ? "—" : `\`${JSON.stringify(spec.default)}\``;
    return `| \`${spec.path}\` | ${describeType(spec.type)} | ${fallback} | ${spec.description} |`;
  });
  return ["| key | type | default | description |", "|---|---|---|---|", ...rows].join("\n") +
    "\n";
}
