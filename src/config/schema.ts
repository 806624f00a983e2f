/**
 * The shape of clinvk's configuration and its built-in defaults: the one source of truth
 * for config keys. {@linkcode CONFIG_KEYS} describes every key once; load, validate,
 * `config get/set/show`, shell completions and the README's key table all read it, and
 * {@linkcode defaultConfig} is built from it.
 * @module
 */
import {
  BACKEND_NAME_PATTERN,
  BACKEND_NAMES,
  type BackendName,
  type BuiltinBackendName,
} from "../backends/types.ts";

export { BACKEND_NAME_PATTERN };

/** Output kinds of a custom backend: one JSON object per line, one JSON document, plain text. */
export const CUSTOM_OUTPUT_FORMATS = ["jsonl", "json", "text"] as const;

/** How a custom backend's answer is put together from its JSON lines. */
export const TEXT_MODES = ["last", "concat"] as const;

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
  /** What `fast`, `balanced` and `best` mean for this backend (overrides the built-in table). */
  models?: { fast?: string; balanced?: string; best?: string };
  /** `custom` defines a backend of the user's own (any name but the built-in ones). */
  kind?: "custom";
  /** A custom backend's product name, shown in listings. */
  label?: string;
  /** A custom backend's install instructions, shown when its command is not found. */
  install_hint?: string;
  /**
   * A custom backend's argv per kind of turn, with `{prompt}`, `{session_id}`, `{model}` and
   * `{workdir}` placeholders (see README, "Custom backends").
   */
  args?: { new?: string[]; resume?: string[]; fork?: string[]; ephemeral?: string[] };
  /** How to read a custom backend's stdout. */
  output?: CustomOutputConfig;
}

/** How to read a custom backend's stdout: its kind, and JSON paths to the fields clinvk needs. */
export interface CustomOutputConfig {
  format?: typeof CUSTOM_OUTPUT_FORMATS[number];
  /** Path to the backend's session id. */
  session_id?: string;
  /** Path to the answer text. */
  text?: string;
  /** `last`: the answer is the last text found; `concat`: the texts are pieces of it. */
  text_mode?: typeof TEXT_MODES[number];
  /** Path to the model that answered. */
  model?: string;
  /** Path to an error message (its presence means the turn failed). */
  error?: string;
  /** Paths to the token counts (`input` includes `cached`). */
  usage?: { input?: string; output?: string; cached?: string };
  /** Whether the counts are summed over the whole session (then clinvk subtracts). */
  usage_cumulative?: boolean;
}

/** The whole configuration after defaults are applied. */
export interface Config {
  default_backend: BackendName;
  /** The built-in backends (always present) and those defined with `kind: custom`. */
  backends: Record<BuiltinBackendName, BackendConfig> & Record<BackendName, BackendConfig>;
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
  /** Where runs send their tasks (README "Running across machines"). */
  dispatch?: { url?: string; pool?: string };
  /** How to reach the NATS server: credentials and TLS, for `--dispatch` and `clinvk worker`. */
  nats?: NatsConfig;
  /** `clinvk worker`. */
  worker: WorkerConfig;
}

/** Credentials and TLS files for the NATS server. */
export interface NatsConfig {
  user?: string;
  password?: string;
  token?: string;
  /** A `.creds` file (JWT and nkey seed), as `nsc` writes it. */
  creds_file?: string;
  /** A file holding an nkey seed (`SU…`). */
  nkey_file?: string;
  tls_ca_file?: string;
  tls_cert_file?: string;
  tls_key_file?: string;
}

/** Settings of `clinvk worker`. */
export interface WorkerConfig {
  /** The worker's name on the queue; default: one made up and kept in `$CLINVK_HOME/worker/id`. */
  id?: string;
  /** Backends it offers; default: every installed one. */
  backends: string[];
  pool?: string;
  max_parallel: number;
  /** Directories (with their subdirectories) tasks may run in; empty = where the worker started. */
  allowed_roots: string[];
  /** Seconds without a heartbeat after which a task is given to another worker. */
  ack_wait_seconds: number;
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
  | { kind: "price_map" }
  /** A backend name (see {@linkcode BACKEND_NAME_PATTERN}). */
  | { kind: "backend_name" }
  /** A JSON path into a backend's output: names and `[index]`es, e.g. `result.usage.input`. */
  | { kind: "json_path" };

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
  /** Only for custom backends (`backends.<name>.kind: custom`). */
  customOnly?: boolean;
  /** A password or token: `config show` and `config get` print it masked. */
  secret?: boolean;
}

function key(
  path: string,
  type: KeyType,
  defaultValue: ConfigValue | undefined,
  description: string,
  options: { secret?: boolean } = {},
): KeySpec {
  return { path, type, default: defaultValue, description, ...options };
}

/** One per-backend key, relative to `backends.<name>`. */
export interface BackendKeySpec {
  /** Path below `backends.<name>`, e.g. `command` or `args.new`. */
  key: string;
  type: KeyType;
  default: ConfigValue | undefined;
  /** The description, for the backend `name` ("<name>" in the reference). */
  describe(name: string): string;
  /** Only for custom backends. */
  customOnly?: boolean;
}

function backendKey(
  key: string,
  type: KeyType,
  defaultValue: ConfigValue | undefined,
  describe: (name: string) => string,
  customOnly = false,
): BackendKeySpec {
  return { key, type, default: defaultValue, describe, ...(customOnly ? { customOnly } : {}) };
}

const STRING: KeyType = { kind: "string" };
const PATH: KeyType = { kind: "json_path" };
const LIST: KeyType = { kind: "string_list" };

/**
 * Every key of `backends.<name>`, for built-in and custom backends alike (custom-only ones are
 * marked). Add a per-backend setting here and load, validate, `config get/set` and the key
 * reference all know it.
 */
export const BACKEND_KEYS: readonly BackendKeySpec[] = Object.freeze([
  backendKey(
    "command",
    STRING,
    undefined,
    (n) => `Executable name or path of the ${n} CLI (default: "${n}" on PATH)`,
  ),
  backendKey(
    "model",
    STRING,
    undefined,
    (n) => `Default model for ${n}: an alias (fast, balanced, best) or a model name`,
  ),
  backendKey(
    "approval_mode",
    STRING,
    undefined,
    (n) => `Approval mode passed to ${n}'s own approval flag`,
  ),
  backendKey(
    "sandbox_mode",
    STRING,
    undefined,
    (n) => `Sandbox mode passed to ${n}'s own sandbox flag`,
  ),
  backendKey("extra_args", LIST, [], (n) => `Extra arguments for ${n}, placed before the prompt`),
  backendKey(
    "env",
    { kind: "string_map" },
    {},
    (n) => `Extra environment variables for the ${n} process`,
  ),
  backendKey(
    "max_parallel",
    { kind: "int", min: 1, max: 1000 },
    undefined,
    (n) => `Most tasks of a run (parallel, chain, compare) on ${n} at once (default: no cap)`,
  ),
  backendKey("models.fast", STRING, undefined, (n) => `The model the alias "fast" means for ${n}`),
  backendKey(
    "models.balanced",
    STRING,
    undefined,
    (n) => `The model the alias "balanced" means for ${n}`,
  ),
  backendKey("models.best", STRING, undefined, (n) => `The model the alias "best" means for ${n}`),
  backendKey(
    "kind",
    { kind: "enum", values: ["custom"] },
    undefined,
    () => "custom: a backend defined here (any agent CLI)",
    true,
  ),
  backendKey(
    "label",
    STRING,
    undefined,
    (n) => `Product name of the ${n} CLI, shown in listings`,
    true,
  ),
  backendKey(
    "install_hint",
    STRING,
    undefined,
    (n) => `How to install the ${n} CLI, shown when its command is not found`,
    true,
  ),
  backendKey(
    "args.new",
    LIST,
    undefined,
    (n) => `argv of a new ${n} session; {prompt} {session_id} {model} {workdir}`,
    true,
  ),
  backendKey(
    "args.resume",
    LIST,
    undefined,
    (n) => `argv continuing a ${n} session; needs {session_id}`,
    true,
  ),
  backendKey(
    "args.fork",
    LIST,
    undefined,
    (n) => `argv forking a ${n} session ({session_id}: the original's); optional`,
    true,
  ),
  backendKey(
    "args.ephemeral",
    LIST,
    undefined,
    (n) => `argv of a ${n} run that keeps nothing; optional`,
    true,
  ),
  backendKey(
    "output.format",
    { kind: "enum", values: CUSTOM_OUTPUT_FORMATS },
    undefined,
    (n) => `What ${n} prints: jsonl, json or text`,
    true,
  ),
  backendKey("output.session_id", PATH, undefined, (n) => `JSON path to ${n}'s session id`, true),
  backendKey("output.text", PATH, undefined, (n) => `JSON path to ${n}'s answer text`, true),
  backendKey(
    "output.text_mode",
    { kind: "enum", values: TEXT_MODES },
    undefined,
    (n) => `last (default): ${n}'s last text is the answer; concat: texts are pieces of it`,
    true,
  ),
  backendKey("output.model", PATH, undefined, (n) => `JSON path to the model ${n} ran`, true),
  backendKey(
    "output.error",
    PATH,
    undefined,
    (n) => `JSON path to ${n}'s error message (present = the turn failed)`,
    true,
  ),
  backendKey(
    "output.usage.input",
    PATH,
    undefined,
    (n) => `JSON path to ${n}'s input tokens (cached included)`,
    true,
  ),
  backendKey(
    "output.usage.output",
    PATH,
    undefined,
    (n) => `JSON path to ${n}'s output tokens`,
    true,
  ),
  backendKey(
    "output.usage.cached",
    PATH,
    undefined,
    (n) => `JSON path to ${n}'s cached input tokens`,
    true,
  ),
  backendKey(
    "output.usage_cumulative",
    { kind: "boolean" },
    undefined,
    (n) => `Whether ${n}'s token counts are summed over the whole session`,
    true,
  ),
]);

/** The full key of `spec` for backend `name`. */
export function backendKeySpec(name: string, spec: BackendKeySpec): KeySpec {
  const full: KeySpec = {
    path: `backends.${name}.${spec.key}`,
    type: spec.type,
    default: spec.default,
    description: spec.describe(name),
  };
  if (spec.customOnly) full.customOnly = true;
  return full;
}

function backendKeys(name: BackendName): KeySpec[] {
  return BACKEND_KEYS.filter((spec) => !spec.customOnly).map((spec) => backendKeySpec(name, spec));
}

/** The keys of every backend in `config` (custom ones included), for expansion and rendering. */
export function configKeysOf(config: Config): KeySpec[] {
  const custom = Object.keys(config.backends).filter((name) => !isBuiltinBackend(name));
  return [
    ...CONFIG_KEYS,
    ...custom.flatMap((name) => BACKEND_KEYS.map((spec) => backendKeySpec(name, spec))),
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

/** Whether `name` is one of the built-in backends. */
export function isBuiltinBackend(name: string): boolean {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** The `dispatch.*`, `nats.*` and `worker.*` keys of runs across machines. */
function distributedKeys(): KeySpec[] {
  const file = (name: string, what: string) =>
    key(`nats.${name}`, { kind: "string" }, undefined, what);
  return [
    key(
      "dispatch.url",
      { kind: "string" },
      undefined,
      "Where parallel, chain and compare send their tasks: nats://host:4222 or tls://host:4222 " +
        "(default: run them in this process)",
    ),
    key(
      "dispatch.pool",
      { kind: "string" },
      undefined,
      "Pool of workers that gets a run's tasks (workers started with --pool NAME)",
    ),
    key("nats.user", { kind: "string" }, undefined, "NATS user name (with nats.password)"),
    key("nats.password", { kind: "string" }, undefined, "NATS password; use ${VAR}", {
      secret: true,
    }),
    key("nats.token", { kind: "string" }, undefined, "NATS authentication token; use ${VAR}", {
      secret: true,
    }),
    file("creds_file", "NATS credentials file (.creds: JWT and nkey seed)"),
    file("nkey_file", "File holding a NATS nkey seed (SU…)"),
    file("tls_ca_file", "CA certificate that signed the NATS server's certificate (PEM)"),
    file("tls_cert_file", "Client certificate for NATS servers that verify clients (PEM)"),
    file("tls_key_file", "Key of nats.tls_cert_file (PEM)"),
    key(
      "worker.id",
      { kind: "string" },
      undefined,
      "Name of this worker on the queue (default: made up once, kept in $CLINVK_HOME/worker/id)",
    ),
    key(
      "worker.backends",
      { kind: "string_list" },
      [],
      "Backends clinvk worker offers (default: every installed one)",
    ),
    key("worker.pool", { kind: "string" }, undefined, "Pool clinvk worker serves (--pool)"),
    key(
      "worker.max_parallel",
      { kind: "int", min: 1, max: 1000 },
      4,
      "Tasks clinvk worker runs at once",
    ),
    key(
      "worker.allowed_roots",
      { kind: "string_list" },
      [],
      "Directories (with subdirectories) tasks may run in; empty = where the worker started",
    ),
    key(
      "worker.ack_wait_seconds",
      { kind: "int", min: 1, max: 3600 },
      30,
      "Seconds a silent worker keeps a task before it goes to another worker",
    ),
  ];
}

/** Every config key, in the order `config show` and the README list them. */
export const CONFIG_KEYS: readonly KeySpec[] = Object.freeze([
  key(
    "default_backend",
    { kind: "backend_name" },
    "claude",
    "Backend used when -b/--backend and CLINVK_BACKEND are not given (built-in or custom)",
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
  ...distributedKeys(),
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

/** Sections below `backends.<name>`: `args`, `output`, `output.usage`, `models`. */
const BACKEND_SECTIONS: ReadonlySet<string> = new Set(
  BACKEND_KEYS.flatMap((spec) => {
    const parts = spec.key.split(".");
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("."));
  }),
);

/**
 * Looks a dotted path up in the schema; `undefined` when it names nothing. `backends.<name>.…`
 * is looked up for any valid backend name (custom backends are defined in the file itself);
 * custom-only keys come back with `customOnly` set, for the caller to refuse on a built-in one.
 */
export function lookupKey(path: string): KeyLookup | undefined {
  const spec = KEYS_BY_PATH.get(path);
  if (spec) return { kind: "leaf", spec };
  if (SECTION_PATHS.has(path)) return { kind: "section", path };
  const backend = /^backends\.([^.]+)(?:\.(.+))?$/.exec(path);
  if (backend && BACKEND_NAME_PATTERN.test(backend[1]!)) {
    const [, name, rest] = backend as unknown as [string, string, string | undefined];
    if (rest === undefined || BACKEND_SECTIONS.has(rest)) return { kind: "section", path };
    const found = BACKEND_KEYS.find((k) => k.key === rest);
    if (found) return { kind: "leaf", spec: backendKeySpec(name, found) };
  }
  const dot = path.lastIndexOf(".");
  if (dot > 0) {
    const parent = lookupKey(path.slice(0, dot));
    const entry = path.slice(dot + 1);
    if (parent?.kind === "leaf" && parent.spec.type.kind === "string_map" && entry !== "") {
      return { kind: "map_entry", spec: parent.spec, entry };
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
    case "backend_name":
      return "a backend name (lowercase letters, digits, - and _)";
    case "json_path":
      return "a JSON path (names and [index]es, e.g. result.usage.input)";
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

/** Fills the per-backend defaults (`extra_args`, `env`) of every backend in `config`. */
export function withBackendDefaults(config: Config): Config {
  for (const settings of Object.values(config.backends)) {
    for (const spec of BACKEND_KEYS) {
      if (spec.default === undefined) continue;
      if (getAtPath(settings, spec.key) === undefined) {
        setAtPath(
          settings as unknown as Record<string, unknown>,
          spec.key,
          structuredClone(spec.default),
        );
      }
    }
  }
  return config;
}
