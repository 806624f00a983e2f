/**
 * The one place that decides each run setting: command-line flag > environment variable >
 * config file > built-in default.
 *
 * | setting | flag | environment | config |
 * |---|---|---|---|
 * | backend | `-b/--backend` | `CLINVK_BACKEND` | `default_backend` |
 * | model | `-m/--model` | `CLINVK_<BACKEND>_MODEL`, then `CLINVK_MODEL` | `backends.<backend>.model` |
 * | output format | `-o/--output-format` | `CLINVK_OUTPUT_FORMAT` | `output.format` |
 * | timeout | `--timeout` | `CLINVK_TIMEOUT` | `timeout_seconds` |
 * | colour | `--color` | `NO_COLOR` (forces never), `CLINVK_COLOR` | `output.color` |
 * | workdir | `-w/--workdir` | — | — |
 *
 * Empty environment variables count as unset.
 * @module
 */
import type { Env } from "../platform/types.ts";
import type { BackendName } from "../backends/types.ts";
import { usageError } from "../errors.ts";
import { readEnv } from "./env_read.ts";
import {
  type BackendConfig,
  COLOR_MODES,
  type ColorMode,
  type Config,
  defaultConfig,
  getAtPath,
  MAX_TIMEOUT_SECONDS,
  OUTPUT_FORMATS,
  type OutputFormat,
} from "./schema.ts";

/** Global flags as the command-line parser gives them: `undefined` when not given. */
export interface SettingFlags {
  backend?: string;
  model?: string;
  outputFormat?: string;
  /** Seconds; the parser may hand over the raw text or a number. */
  timeout?: string | number;
  workdir?: string;
  color?: string;
}

/** Where a setting's value came from. */
export type SettingSource = "flag" | "env" | "config" | "default";

/** The settings of one run, after precedence. */
export interface Settings {
  backend: BackendName;
  /** Model alias or name; `undefined` lets the backend choose. */
  model: string | undefined;
  outputFormat: OutputFormat;
  /** Seconds before the backend is killed; 0 = no limit. May have a fraction (`--timeout 0.5`). */
  timeoutSeconds: number;
  /** Colour policy; `auto` means "only when the stream is a terminal". */
  color: ColorMode;
  /** `-w` as given (the caller makes it absolute and real); `undefined` = current directory. */
  workdir: string | undefined;
  /** `backends.<backend>` of the config, for command, modes, extra args and env. */
  backendConfig: BackendConfig;
  /** The source of each resolved value, for `--dry-run` and debugging. */
  sources: {
    backend: SettingSource;
    model: SettingSource;
    outputFormat: SettingSource;
    timeoutSeconds: SettingSource;
    color: SettingSource;
  };
}

/** Options of {@linkcode resolveSettings}. */
export interface ResolveSettingsOptions {
  flags: SettingFlags;
  env: Env;
  /** The loaded config (defaults already merged). */
  config: Config;
}

/** `CLINVK_CLAUDE_MODEL` and friends (`my-cli` → `CLINVK_MY_CLI_MODEL`). */
export function modelEnvVar(backend: BackendName): string {
  return `CLINVK_${backend.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_MODEL`;
}

type Candidate = { value: string | number | undefined; source: SettingSource; origin: string };

/** The first candidate that is set; flags given as "" are an error rather than "not given". */
function pick(candidates: Candidate[]): Candidate {
  for (const candidate of candidates) {
    if (candidate.source === "flag" && candidate.value === "") {
      throw usageError(`Empty value for ${candidate.origin}`);
    }
    if (candidate.value !== undefined) return candidate;
  }
  return { value: undefined, source: "default", origin: "built-in default" };
}

function oneOf<T extends string>(
  what: string,
  values: readonly T[],
  picked: Candidate,
): T {
  if (values.includes(picked.value as T)) return picked.value as T;
  throw usageError(
    `Unknown ${what} "${picked.value}" (from ${picked.origin})`,
    `Use one of: ${values.join(", ")}.`,
  );
}

function seconds(picked: Candidate): number {
  const raw = picked.value;
  const value = typeof raw === "number"
    ? raw
    : /^\s*\d+(\.\d+)?\s*$/.test(raw ?? "")
    ? Number(raw)
    : NaN;
  if (!Number.isFinite(value) || value < 0 || value > MAX_TIMEOUT_SECONDS) {
    throw usageError(
      `Bad timeout "${raw}" (from ${picked.origin}): expected a number of seconds from 0 to ${MAX_TIMEOUT_SECONDS}`,
      "Use 0 for no limit.",
    );
  }
  return value;
}

/**
 * Resolves the settings of one run by precedence flag > env > config > default. Pure:
 * everything comes in through the options.
 *
 * @throws {ClinvkError} exit 2 for an unknown backend, output format or colour mode, or a bad
 * timeout; the message names the flag or environment variable it came from.
 * @example
 * ```ts
 * import { defaultConfig } from "./schema.ts";
 * const env = { get: (_name: string) => undefined };
 * const settings = resolveSettings({ flags: { backend: "codex" }, env, config: defaultConfig() });
 * settings.backend; // "codex"
 * ```
 */
export function resolveSettings(options: ResolveSettingsOptions): Settings {
  const { flags, env, config } = options;
  const fromEnv = (name: string): Candidate => ({
    value: readEnv(env, name),
    source: "env",
    origin: name,
  });
  const flag = (value: string | number | undefined, origin: string): Candidate => ({
    value,
    source: "flag",
    origin,
  });
  // Defaults are already merged into `config`; a value equal to the built-in one is reported
  // as "default" (also when the file repeats it, which makes no difference to the run).
  const defaults = defaultConfig();
  const file = (value: string | number | undefined, key: string): Candidate => ({
    value,
    source: value === getAtPath(defaults, key) ? "default" : "config",
    origin: `config key ${key}`,
  });

  const backendPick = pick([
    flag(flags.backend, "--backend"),
    fromEnv("CLINVK_BACKEND"),
    file(config.default_backend, "default_backend"),
  ]);
  const backend = oneOf("backend", Object.keys(config.backends), backendPick);
  const backendConfig = config.backends[backend]!;

  const modelPick = pick([
    flag(flags.model, "--model"),
    fromEnv(modelEnvVar(backend)),
    fromEnv("CLINVK_MODEL"),
    file(backendConfig.model || undefined, `backends.${backend}.model`),
  ]);

  const formatPick = pick([
    flag(flags.outputFormat, "--output-format"),
    fromEnv("CLINVK_OUTPUT_FORMAT"),
    file(config.output.format, "output.format"),
  ]);

  const timeoutPick = pick([
    flag(flags.timeout, "--timeout"),
    fromEnv("CLINVK_TIMEOUT"),
    file(config.timeout_seconds, "timeout_seconds"),
  ]);

  // NO_COLOR (https://no-color.org) beats everything: SPEC §8 says never colour with it.
  const noColor = readEnv(env, "NO_COLOR") !== undefined;
  const colorPick = noColor
    ? { value: "never", source: "env" as const, origin: "NO_COLOR" }
    : pick([
      flag(flags.color, "--color"),
      fromEnv("CLINVK_COLOR"),
      file(config.output.color, "output.color"),
    ]);

  return {
    backend,
    model: modelPick.value === undefined ? undefined : String(modelPick.value),
    outputFormat: formatPick.value === undefined
      ? "text"
      : oneOf("output format", OUTPUT_FORMATS, formatPick),
    timeoutSeconds: timeoutPick.value === undefined ? 0 : seconds(timeoutPick),
    color: colorPick.value === undefined ? "auto" : oneOf("colour mode", COLOR_MODES, colorPick),
    workdir: pick([flag(flags.workdir, "--workdir")]).value as string | undefined,
    backendConfig,
    sources: {
      backend: backendPick.source,
      model: modelPick.source,
      outputFormat: formatPick.source,
      timeoutSeconds: timeoutPick.source,
      color: colorPick.source,
    },
  };
}
