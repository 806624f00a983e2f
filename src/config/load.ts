/**
 * Loading the effective configuration: built-in defaults overlaid with config.yaml, with
 * `${VAR}` references expanded.
 * @module
 */
import type { Env, Fs } from "../platform/types.ts";
import { usageError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { cacheConfig, cachedConfig } from "./parse_cache.ts";
import { expandConfig } from "./expand.ts";
import { readConfigFile } from "./read_config_file.ts";
import { findSecrets, type SecretRef } from "./secrets.ts";
import { type Config, defaultConfig } from "./schema.ts";

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  fs: Fs;
  env: Env;
  /** The config file, usually from `configPath()`. */
  path: string;
  /** True when the user named the file with `--config`; then it must exist. */
  explicit: boolean;
  /**
   * clinvk's home: its store (`sessions/`) caches the parsed file (see `parse_cache.ts`).
   * Without it, the file is parsed every time.
   */
  cacheHome?: string;
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
 * const env = { get: (name: string) => Deno.env.get(name) };
 * const path = "/home/ada/.clinvk/config.yaml";
 * const { config } = await loadConfig({ fs: Deno, env, path, explicit: false });
 * ```
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { fs, env, path, explicit } = options;
  const text = await readConfigFile(fs, path, explicit);
  if (text === undefined) {
    return { config: defaultConfig(), source: { path, exists: false, explicit }, secrets: [] };
  }
  const cached = options.cacheHome === undefined
    ? undefined
    : await cachedConfig(fs, options.cacheHome, path, text);
  const config = cached ?? await parse(options, text);
  return {
    config: expandConfig(config, env),
    source: { path, exists: true, explicit },
    secrets: findSecrets(config),
  };
}

/** Parses and validates the file's text; caches a valid result. */
async function parse(options: LoadConfigOptions, text: string): Promise<Config> {
  const { path } = options;
  // The YAML parser loads only when there is a file to parse, and no cached parse of it.
  const { formatProblem, parseConfigText } = await lazyImport<typeof import("./validate.ts")>(
    "src/config/validate.ts",
  );
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
  if (options.cacheHome !== undefined) {
    await cacheConfig(options.fs, options.cacheHome, path, text, config);
  }
  return config;
}
