/**
 * `clinvk config get KEY`: one key, one section (`session`) or the whole config.
 * @module
 */
import { stringify } from "yaml";
import { usageError } from "../errors.ts";
import { type Config, configKeyPaths, getAtPath, lookupKey } from "./schema.ts";
import { suggestKey } from "./suggest.ts";

/**
 * The value of `key` in `config`: a leaf value, a whole section as an object, one entry of a
 * mapping key (`backends.claude.env.API_BASE`), or the whole config for `""`. Unset optional
 * keys (e.g. `backends.claude.model`) give `undefined`.
 *
 * @throws {ClinvkError} exit 2 for a key the schema does not know (with a suggestion).
 * @example
 * ```ts
 * import { defaultConfig } from "./schema.ts";
 * getConfigValue(defaultConfig(), "session.retention_days"); // 30
 * ```
 */
export function getConfigValue(config: Config, key: string): unknown {
  if (key === "") return config;
  if (lookupKey(key) === undefined) {
    const suggestion = suggestKey(key);
    throw usageError(
      `Unknown config key "${key}"`,
      suggestion ? `Did you mean "${suggestion}"?` : `Known keys: ${configKeyPaths().join(", ")}.`,
    );
  }
  return getAtPath(config, key);
}

/**
 * Text for `config get` on stdout: scalars bare (so `$(clinvk config get output.format)`
 * works in scripts), lists and sections as YAML, an unset key as the empty string.
 */
export function renderConfigValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") return String(value);
  return stringify(value, { lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}
