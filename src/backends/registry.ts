/**
 * The backends clinvk knows: the built-in plug-ins, the custom ones config defines, and what
 * callers need to know about each — its models, its command, and whether that command is
 * installed. The one place that names the built-in backends.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { usageError } from "../errors.ts";
import { findExecutable } from "../platform/find_executable.ts";
import type { Platform } from "../platform/types.ts";
import { claudeBackend } from "./claude/index.ts";
import { codexBackend } from "./codex/index.ts";
import { geminiBackend } from "./gemini/index.ts";
import { customBackend } from "./custom/index.ts";
import { resolveModelAlias } from "./shared/models.ts";
import { type Backend, BACKEND_NAMES, type BuiltinBackendName, type ModelAlias } from "./types.ts";

/** Names of the built-in backends, in display order. */
export const backendNames: readonly BuiltinBackendName[] = BACKEND_NAMES;

/** The built-in plug-ins. Adding a backend is its folder plus one line here. */
const BUILTIN: Readonly<Record<BuiltinBackendName, Backend>> = {
  claude: claudeBackend,
  codex: codexBackend,
  gemini: geminiBackend,
};

/** Whether `name` is a built-in backend name. */
export function isBackendName(name: string): name is BuiltinBackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/**
 * The built-in plug-in `name` as it ships (no config applied); an unknown name is a usage
 * error (exit 2) listing the valid ones.
 *
 * @example
 * ```ts
 * getBackend("codex").label; // "Codex CLI"
 * ```
 */
export function getBackend(name: string): Backend {
  if (!isBackendName(name)) {
    throw usageError(`Unknown backend "${name}"`, `Use one of: ${BACKEND_NAMES.join(", ")}.`);
  }
  return BUILTIN[name];
}

/**
 * The plug-in for backend `name` as `config` configures it: a built-in one with the model
 * aliases of `backends.<name>.models` laid over its own, or a custom one (`kind: custom`).
 *
 * @throws {ClinvkError} exit 2 for a name `config` does not define, listing the ones it does.
 * @example
 * ```ts
 * import { defaultConfig } from "../config/schema.ts";
 * backendFor(defaultConfig(), "gemini").resolveModel("fast"); // "gemini-2.5-flash-lite"
 * ```
 */
export function backendFor(config: Config, name: string): Backend {
  const settings = config.backends[name];
  if (isBackendName(name)) {
    const builtin = BUILTIN[name];
    const overrides = Object.fromEntries(
      Object.entries(settings?.models ?? {}).filter(([, model]) => model),
    );
    if (Object.keys(overrides).length === 0) return builtin;
    const models = { ...builtin.models, ...overrides };
    return { ...builtin, models, resolveModel: (model) => resolveModelAlias(models, model) };
  }
  if (settings?.kind === "custom") return customBackend(name, settings);
  throw usageError(
    `Unknown backend "${name}"`,
    `Use one of: ${Object.keys(config.backends).join(", ")}.`,
  );
}

/** What a caller needs to know about one configured backend. */
export interface BackendInfo {
  /** The name to pass as `-b`, `TurnTarget.backend` and `backends.<name>` in config. */
  name: string;
  /** `builtin` (Claude Code, Codex CLI, Gemini CLI) or `custom` (defined in config). */
  kind: "builtin" | "custom";
  /** The CLI's product name, e.g. "Claude Code". */
  label: string;
  /** The executable clinvk starts: `backends.<name>.command`, else the backend's own name. */
  command: string;
  /** What the aliases `fast`, `balanced` and `best` resolve to on this backend. */
  models: Readonly<Partial<Record<ModelAlias, string>>>;
  /** `backends.<name>.model` (an alias or a model name), when set. */
  defaultModel?: string;
  /** What the backend can do besides a new session. */
  can: { resume: boolean; fork: boolean; ephemeral: boolean };
}

/**
 * Every backend configured in `config`, in display order: the built-in ones first.
 *
 * @example
 * ```ts
 * import { defaultConfig } from "../config/schema.ts";
 * listBackends(defaultConfig()).map((b) => b.name); // ["claude", "codex", "gemini"]
 * listBackends(defaultConfig())[0]!.models.fast; // "haiku"
 * ```
 */
export function listBackends(config: Config): BackendInfo[] {
  const names = [
    ...backendNames,
    ...Object.keys(config.backends).filter((n) => !isBackendName(n)).sort(),
  ];
  return names.map((name) => {
    const backend = backendFor(config, name);
    const settings = config.backends[name];
    const info: BackendInfo = {
      name,
      kind: backend.kind,
      label: backend.label,
      command: settings?.command || backend.defaultCommand,
      models: { ...backend.models },
      can: {
        resume: backend.canResume,
        fork: backend.fork !== "none",
        ephemeral: backend.ephemeral !== "none",
      },
    };
    if (settings?.model) info.defaultModel = settings.model;
    return info;
  });
}

/** Whether one backend's executable is installed. */
export interface BackendAvailability {
  name: string;
  /** The command looked for (see {@linkcode BackendInfo.command}). */
  command: string;
  /** True when the command leads to an executable file. */
  available: boolean;
  /** The file that would run, when available. */
  path?: string;
  /** Why it is not available (not on PATH, not executable, …). */
  reason?: string;
}

/**
 * Whether the executable of each configured backend (or of those `names`) is installed: looked up
 * the way the backend would be started — on the `PATH` the backend process gets
 * (`backends.<name>.env.PATH` when set), or at the configured path. Starts nothing; costs a few
 * `stat` calls per backend.
 *
 * @throws {ClinvkError} exit 2 for a name in `names` that is not configured.
 * @example
 * ```ts ignore
 * for (const b of await backendAvailability(config, platform)) {
 *   console.log(b.name, b.available ? b.path : b.reason);
 * }
 * ```
 */
export async function backendAvailability(
  config: Config,
  platform: Pick<Platform, "fs" | "env" | "os" | "cwd">,
  names?: readonly string[],
): Promise<BackendAvailability[]> {
  const all = listBackends(config);
  for (const name of names ?? []) backendFor(config, name);
  const chosen = names ? all.filter((b) => names.includes(b.name)) : all;
  return await Promise.all(chosen.map(async (info) => {
    const extra = config.backends[info.name]?.env ?? {};
    const env = { get: (key: string) => extra[key] ?? platform.env.get(key) };
    const found = await findExecutable(info.command, {
      fs: platform.fs,
      env,
      os: platform.os,
      cwd: platform.cwd(),
    });
    const availability: BackendAvailability = {
      name: info.name,
      command: info.command,
      available: found.path !== undefined,
    };
    if (found.path !== undefined) availability.path = found.path;
    if (found.reason !== undefined) availability.reason = found.reason;
    return availability;
  }));
}
