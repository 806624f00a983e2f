/**
 * Loading the effective configuration: built-in defaults overlaid with config.yaml, with
 * `${VAR}` references expanded.
 * @module
 */
import type { Env, Fs } from "../platform/types.ts";
import { usageError } from "../errors.ts";
import { expandConfig } from "./expand.ts";
import { readConfigFile } from "./read_config_file.ts";
import { findSecrets, type SecretRef } from "./secrets.ts";
import { type Config, defaultConfig } from "./schema.ts";
import { formatProblem, parseConfigText } from "./validate.ts";

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  fs: Fs;
  env: Env;
  /** The config file, usually from `configPath()`. */
  path: string;
  /** True when the user named the file with `--config`; then it must exist. */
  explicit: boolean;
}

/** Where the configuration came from, for `config show` and `config path`. */
export interface ConfigSource {
  path: string;
  /** False when the file does not exist and only defaults apply. */
  exists: boolean;
  explicit: boolean;
}

/** Result of {@linkcode loadConfig}. */
export interface LoadedConfig {
  /** Defaults + file, `${VAR}` expanded. */
  config: Config;
  source: ConfigSource;
  /** Values expanded from `${VAR}` in `backends.*.env`: hidden by `config show`/`get`. */
  secrets: SecretRef[];
}

/**
 * Loads the configuration. A missing default file, an empty file and a comments-only file
 * all give the defaults.
 *
 * @throws {ClinvkError} exit 2 when the file cannot be read, is not valid YAML or does not
 * match the schema. The message is the first problem as `file:line:column: reason`; when
 * there are more, it says how many and points at `clinvk config validate`.
 * @example
 * ```ts
 * const { config } = await loadConfig({ fs: Deno, env, path: "/home/ada/.clinvk/config.yaml", explicit: false });
 * ```
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { fs, env, path, explicit } = options;
  const text = await readConfigFile(fs, path, explicit);
  if (text === undefined) {
    return { config: defaultConfig(), source: { path, exists: false, explicit }, secrets: [] };
  }
  const { config, problems } = parseConfigText(text, path);
  const [first] = problems;
  if (first !== undefined) {
    const more = problems.length - 1;
    throw usageError(
      `Invalid config ${formatProblem(first)}` +
        (more > 0 ? ` (and ${more} more ${more === 1 ? "problem" : "problems"})` : ""),
      more > 0 ? `Run "clinvk config validate" to list them all.` : undefined,
    );
  }
  return {
    config: expandConfig(config, env),
    source: { path, exists: true, explicit },
    secrets: findSecrets(config),
  };
}
