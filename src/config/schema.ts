/**
 * The shape of clinvk's configuration and its built-in defaults: the one source of truth
 * for config keys. {@linkcode CONFIG_KEYS} describes every key once; load, validate,
 * `config get/set/show`, shell completions and the README's key table all read it, and
 * {@linkcode defaultConfig} is built from it.
 * @module
 */
import { BACKEND_NAMES, type BackendName } from "../backends/types.ts";

/** Output formats of `-o/--output-format`. */
export const OUTPUT_FORMATS = ["text", "json", "stream-json"] as const;
/** An output format. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** Colour policy. */
export const COLOR_MODES = ["auto", "always", "never"] as const;
/** A colour policy. */
export type ColorMode = typeof COLOR_MODES[number];

/**
 * Largest timeout clinvk accepts, in seconds (about 24.8 days). Timers take milliseconds as a
 * signed 32-bit number; a larger value would fire at once instead of never.
 */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

/**
 * The longest period clinvk counts in, in days (100 years): retention and `clean --older-than`.
 * Longer periods are refused rather than overflowing the date arithmetic.
 */
export const MAX_PERIOD_DAYS = 36_500;

/** Per-backend settings. */
export interface BackendConfig {
  /** Executable name or path; defaults to the backend's name looked up on PATH. */
  command?: string;
  /** Default model (alias or name). */
  model?: string;
  /** Passed to the CLI's own approval flag (Claude `--permission-mode`, Gemini `--approval-mode`). */
  approval_mode?: string;
  /** Passed to the CLI's own sandbox flag (Codex `-s`, Gemini `-s`). */
  sandbox_mode?: string;
  /** Extra argv placed before the prompt. */
  extra_args: string[];
  /** Extra environment variables for the backend process. */
  env: Record<string, string>;
  /** Most tasks of a run on this backend at once (subscriptions cap concurrent sessions). */
  max_parallel?: number;
}

/** The whole configuration after defaults are applied. */
export interface Config {
  default_backend: BackendName;
  backends: Record<BackendName, BackendConfig>;
  session: {
    retention_days: number;
    store_token_usage: boolean;
    default_tags: string[];
    /** Seconds to wait for the store lock before giving up (exit 5). */
    lock_timeout_seconds: number;
    /** Daily limits checked before each turn (exit 6 when used up; see `usage/budget.ts`). */
    budget: {
      daily_tokens?: number;
      daily_usd?: number;
      backend_daily_tokens: Record<string, number>;
      backend_daily_usd: Record<string, number>;
    };
  };
  pricing: {
    /** Prices per model name (or `prefix*`) that replace the bundled table's. */
    overrides: Record<string, ModelPrices>;
  };
  output: {
    format: OutputFormat;
    show_tokens: boolean;
    show_timing: boolean;
    color: ColorMode;
  };
  /** Kill a backend that runs longer than this (0 = no limit). */
  timeout_seconds: number;
  /** `clinvk serve` (README "Server"). */
  server: ServerConfig;
}

/** Formats of the server's request log. */
export const LOG_FORMATS = ["text", "json"] as const;
/** A request log format. */
export type LogFormat = typeof LOG_FORMATS[number];

/** Settings of `clinvk serve`. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Directory a request runs in when it names none (default: where the server started). */
  workdir?: string;
  /** Directories (and their subdirectories) a request may name as its workdir. */
  allowed_workdirs: string[];
  /** API key name → `sha256:<hex>` of the key. */
  api_keys: Record<string, string>;
  /** Origins allowed by CORS (`*` for any). */
  cors_origins: string[];
  /** Proxies whose `X-Forwarded-For` is believed: addresses, CIDR ranges or `loopback`. */
  trusted_proxies: string[];
  max_body_bytes: number;
  /** Per API key; 0 = no limit. */
  limits: { requests_per_minute: number; concurrent_turns: number; tokens_per_day: number };
  log_format: LogFormat;
  /** How long running turns may finish after SIGINT/SIGTERM before they are stopped. */
  shutdown_grace_seconds: number;
}

/** The type of one config key. String-typed kinds get `${VAR}` expansion (see `expand.ts`). */
export type KeyType =
  | { kind: "string" }
  | { kind: "int"; min: number; max?: number }
  | { kind: "boolean" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "string_list" }
  | { kind: "string_map" }
  /** A decimal number ≥ `min` (dollars). */
  | { kind: "number"; min: number }
  /** Names (backends) mapped to numbers ≥ 0. */
  | { kind: "number_map" }
  /** Model names mapped to {@linkcode ModelPrices}. */
  | { kind: "price_map" };

/** Prices of one model in USD per million tokens (`pricing.overrides.<model>`). */
export interface ModelPrices {
  input_per_mtok: number;
  output_per_mtok: number;
  /** Cached input (cache reads); defaults to the input price. */
  cached_input_per_mtok?: number;
}

/** A value a config key can hold. */
export type ConfigValue =
  | string
  | number
  | boolean
  | string[]
  | Record<string, string>
  | Record<string, number>
  | Record<string, ModelPrices>;

/** Declarative description of one leaf key of config.yaml. */
export interface KeySpec {
  /** Dotted path, e.g. `session.retention_days`. */
  path: string;
  type: KeyType;
  /** Built-in default; `undefined` means "not set" (the consumer decides). */
  default: ConfigValue | undefined;
  /** One line for `config show`, completions and the README. */
  description: string;
}

function key(
  path: string,
  type: KeyType,
  defaultValue: ConfigValue | undefined,
  description: string,
): KeySpec {
  return { path, type, default: defaultValue, description };
}

function backendKeys(name: BackendName): KeySpec[] {
  const p = `backends.${name}`;
  return [
    key(
      `${p}.command`,
      { kind: "string" },
      undefined,
      `Executable name or path of the ${name} CLI (default: "${name}" on PATH)`,
    ),
    key(
      `${p}.model`,
      { kind: "string" },
      undefined,
      `Default model for ${name}: an alias (fast, balanced, best) or a model name`,
    ),
    key(
      `${p}.approval_mode`,
      { kind: "string" },
      undefined,
      `Approval mode passed to ${name}'s own approval flag`,
    ),
    key(
      `${p}.sandbox_mode`,
      { kind: "string" },
      undefined,
      `Sandbox mode passed to ${name}'s own sandbox flag`,
    ),
    key(
      `${p}.extra_args`,
      { kind: "string_list" },
      [],
      `Extra arguments for ${name}, placed before the prompt`,
    ),
    key(
      `${p}.env`,
      { kind: "string_map" },
      {},
      `Extra environment variables for the ${name} process`,
    ),
    key(
      `${p}.max_parallel`,
      { kind: "int", min: 1, max: 1000 },
      undefined,
      `Most tasks of a run (parallel, chain, compare) on ${name} at once (default: no cap)`,
    ),
  ];
}

/** The `server.*` keys of `clinvk serve`. */
function serverKeys(): KeySpec[] {
  const limit = (name: string, what: string) =>
    key(`server.limits.${name}`, { kind: "int", min: 0 }, 0, `${what} per API key (0 = no limit)`);
  return [
    key("server.host", { kind: "string" }, "127.0.0.1", "Address clinvk serve binds"),
    key("server.port", { kind: "int", min: 0, max: 65535 }, 8080, "Port clinvk serve listens on"),
    key(
      "server.workdir",
      { kind: "string" },
      undefined,
      "Directory a request runs in when it names none (default: where clinvk serve started)",
    ),
    key(
      "server.allowed_workdirs",
      { kind: "string_list" },
      [],
      "Directories (with their subdirectories) requests may run in; empty = server.workdir only",
    ),
    key(
      "server.api_keys",
      { kind: "string_map" },
      {},
      "API key name to sha256:<hex> of the key; manage with clinvk serve keys add|list|revoke",
    ),
    key(
      "server.cors_origins",
      { kind: "string_list" },
      [],
      "Origins browsers may call the server from (* = any); empty = no cross-origin access",
    ),
    key(
      "server.trusted_proxies",
      { kind: "string_list" },
      [],
      "Proxies whose X-Forwarded-For is believed: addresses, CIDR ranges, loopback",
    ),
    key(
      "server.max_body_bytes",
      { kind: "int", min: 1024 },
      10 * 1024 * 1024,
      "Largest request body accepted (larger ones get 413)",
    ),
    limit("requests_per_minute", "Requests per minute"),
    limit("concurrent_turns", "Backend turns running at once"),
    limit("tokens_per_day", "Tokens (input + output) per UTC day"),
    key(
      "server.log_format",
      { kind: "enum", values: LOG_FORMATS },
      "text",
      "Request log on stderr: text or json (one line per request)",
    ),
    key(
      "server.shutdown_grace_seconds",
      { kind: "int", min: 0, max: MAX_TIMEOUT_SECONDS },
      30,
      "Seconds running turns may finish after SIGINT/SIGTERM before they are stopped",
    ),
  ];
}

/** Every config key, in the order `config show` and the README list them. */
export const CONFIG_KEYS: readonly KeySpec[] = Object.freeze([
  key(
    "default_backend",
    { kind: "enum", values: BACKEND_NAMES },
    "claude",
    "Backend used when -b/--backend and CLINVK_BACKEND are not given",
  ),
  ...BACKEND_NAMES.flatMap(backendKeys),
  key(
    "session.retention_days",
    { kind: "int", min: 0, max: MAX_PERIOD_DAYS },
    30,
    "Days a session is kept after its last use (0 = keep forever)",
  ),
  key(
    "session.store_token_usage",
    { kind: "boolean" },
    true,
    "Record token usage in session files",
  ),
  key(
    "session.default_tags",
    { kind: "string_list" },
    [],
    "Tags added to every new session; ${VAR} expands, tags that expand to nothing are dropped",
  ),
  key(
    "session.lock_timeout_seconds",
    { kind: "int", min: 1, max: MAX_TIMEOUT_SECONDS },
    30,
    "Seconds to wait for the session store lock before giving up",
  ),
  key(
    "session.budget.daily_tokens",
    { kind: "int", min: 1 },
    undefined,
    "Tokens all backends may use per day (local time); a turn past it exits 6 unless --force",
  ),
  key(
    "session.budget.daily_usd",
    { kind: "number", min: 0 },
    undefined,
    "US dollars all backends may cost per day; a turn past it exits 6 unless --force",
  ),
  key(
    "session.budget.backend_daily_tokens",
    { kind: "number_map" },
    {},
    "Per backend: tokens it may use per day, e.g. {codex: 2000000}",
  ),
  key(
    "session.budget.backend_daily_usd",
    { kind: "number_map" },
    {},
    "Per backend: US dollars it may cost per day, e.g. {claude: 5}",
  ),
  key(
    "pricing.overrides",
    { kind: "price_map" },
    {},
    "Prices per model (or prefix*): {input_per_mtok, output_per_mtok, cached_input_per_mtok} in USD",
  ),
  key(
    "output.format",
    { kind: "enum", values: OUTPUT_FORMATS },
    "text",
    "Output format when -o/--output-format and CLINVK_OUTPUT_FORMAT are not given",
  ),
  key("output.show_tokens", { kind: "boolean" }, false, "Print a token usage footer (text output)"),
  key("output.show_timing", { kind: "boolean" }, false, "Print a timing footer (text output)"),
  key(
    "output.color",
    { kind: "enum", values: COLOR_MODES },
    "auto",
    "Colours: auto (terminal only), always or never; NO_COLOR always wins",
  ),
  key(
    "timeout_seconds",
    { kind: "int", min: 0, max: MAX_TIMEOUT_SECONDS },
    0,
    "Kill a backend that runs longer than this many seconds (0 = no limit)",
  ),
  ...serverKeys(),
]);

const KEYS_BY_PATH: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((k) => [k.path, k]));

/** Every proper prefix of a key path, e.g. `backends`, `backends.claude`, `session`. */
const SECTION_PATHS: ReadonlySet<string> = new Set(
  CONFIG_KEYS.flatMap((k) => {
    const parts = k.path.split(".");
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("."));
  }),
);

/**
 * All leaf key paths, for shell completions and `config get/set` help.
 *
 * @example
 * ```ts
 * configKeyPaths().includes("session.retention_days"); // true
 * ```
 */
export function configKeyPaths(): string[] {
  return CONFIG_KEYS.map((k) => k.path);
}

/** All section paths (`backends`, `backends.claude`, `session`, `output`). */
export function configSectionPaths(): string[] {
  return [...SECTION_PATHS];
}

/** What a dotted path names in the schema. */
export type KeyLookup =
  | { kind: "leaf"; spec: KeySpec }
  | { kind: "section"; path: string }
  /** One entry of a `string_map` key, e.g. `backends.claude.env.API_KEY`. */
  | { kind: "map_entry"; spec: KeySpec; entry: string };

/** Looks a dotted path up in the schema; `undefined` when it names nothing. */
export function lookupKey(path: string): KeyLookup | undefined {
  const spec = KEYS_BY_PATH.get(path);
  if (spec) return { kind: "leaf", spec };
  if (SECTION_PATHS.has(path)) return { kind: "section", path };
  const dot = path.lastIndexOf(".");
  if (dot > 0) {
    const parent = KEYS_BY_PATH.get(path.slice(0, dot));
    const entry = path.slice(dot + 1);
    if (parent?.type.kind === "string_map" && entry !== "") {
      return { kind: "map_entry", spec: parent, entry };
    }
  }
  return undefined;
}

/** Describes a key type for error messages and docs, e.g. `an integer ≥ 0`. */
export function describeType(type: KeyType): string {
  switch (type.kind) {
    case "string":
      return "a string";
    case "int":
      return type.max === undefined
        ? `an integer ≥ ${type.min}`
        : `an integer from ${type.min} to ${type.max}`;
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${type.values.join(", ")}`;
    case "string_list":
      return "a list of strings";
    case "string_map":
      return "a mapping of names to strings";
    case "number":
      return `a number ≥ ${type.min}`;
    case "number_map":
      return "a mapping of names to numbers ≥ 0";
    case "price_map":
      return "a mapping of model names to {input_per_mtok, output_per_mtok, cached_input_per_mtok}";
  }
}

/** Sets `value` at the dotted `path` inside `target`, creating plain objects on the way. */
export function setAtPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Reads the value at the dotted `path` inside `source`; `undefined` when absent. */
export function getAtPath(source: unknown, path: string): unknown {
  let node = source;
  for (const part of path.split(".")) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Built-in defaults, built from {@linkcode CONFIG_KEYS}. Returns a fresh object each call. */
export function defaultConfig(): Config {
  const config: Record<string, unknown> = {};
  for (const spec of CONFIG_KEYS) {
    if (spec.default !== undefined) setAtPath(config, spec.path, structuredClone(spec.default));
  }
  return config as unknown as Config;
}
