/**
 * The backends the server offers and the model names clients may ask for. Until the engine's
 * backend registry lands (issue 8), this reads the configured backends itself and looks their
 * executables up on `PATH`; it is the one place to switch over.
 *
 * Model names: `<backend>` (its configured default model), `<backend>:<alias or model>` (e.g.
 * `claude:fast`, `codex:gpt-5.5`), and every concrete model configured as a backend's
 * `model` (e.g. `claude-sonnet-4-5`), which selects that backend.
 * @module
 */
import { delimiter, join } from "node:path";
import { getBackend, isBackendName } from "../backends/registry.ts";
import { isModelAlias, MODEL_ALIASES } from "../backends/models.ts";
import type { BackendConfig, Config } from "../config/schema.ts";
import type { Platform } from "../platform/types.ts";
import { ApiError } from "./api_error.ts";

/** One configured backend as the server sees it. */
export interface BackendInfo {
  name: string;
  /** The executable, as configured or by default. */
  command: string;
  /** Whether the executable was found; unknown until {@linkcode checkAvailability}. */
  available?: boolean;
  /** `backends.<name>.model`, when set. */
  defaultModel?: string;
  /** Model aliases and the model each names for this backend. */
  aliases: Record<string, string>;
}

/** A model id clients may send, and what it selects. */
export interface ModelEntry {
  id: string;
  backend: string;
  /** The alias or model passed to the backend; absent = the backend's default. */
  model?: string;
}

/** What a model name in a request selects. */
export interface ModelChoice {
  backend: string;
  model?: string;
}

async function isExecutableFile(platform: Platform, path: string): Promise<boolean> {
  try {
    const info = await platform.fs.stat(path);
    return info.isFile && (platform.os === "windows" || ((info.mode ?? 0o111) & 0o111) !== 0);
  } catch {
    return false;
  }
}

async function findExecutable(platform: Platform, command: string, pathVar?: string) {
  if (/[\\/]/.test(command)) return await isExecutableFile(platform, command);
  const extensions = platform.os === "windows" ? ["", ".exe", ".cmd", ".bat"] : [""];
  for (const dir of (pathVar ?? "").split(delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      if (await isExecutableFile(platform, join(dir, command + ext))) return true;
    }
  }
  return false;
}

/** The configured backends (without looking for their executables). */
export function configuredBackends(config: Config): BackendInfo[] {
  return Object.entries(config.backends).map(([name, settings]) => {
    const adapter = isBackendName(name) ? getBackend(name) : undefined;
    const aliases: Record<string, string> = {};
    for (const alias of MODEL_ALIASES) {
      const model = adapter?.resolveModel(alias);
      if (model) aliases[alias] = model;
    }
    return {
      name,
      command: settings.command || adapter?.defaultCommand || name,
      ...(settings.model ? { defaultModel: settings.model } : {}),
      aliases,
    };
  });
}

/** `backends` with `available` set: whether each executable is installed. */
export async function checkAvailability(
  platform: Platform,
  config: Config,
  backends: readonly BackendInfo[],
): Promise<BackendInfo[]> {
  return await Promise.all(backends.map(async (backend) => {
    const settings = (config.backends as Record<string, BackendConfig | undefined>)[backend.name];
    const pathVar = settings?.env.PATH ?? platform.env.get("PATH");
    return { ...backend, available: await findExecutable(platform, backend.command, pathVar) };
  }));
}

/** The model ids of the backends not known to be missing, in backend order. */
export function modelEntries(backends: readonly BackendInfo[]): ModelEntry[] {
  const entries: ModelEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: ModelEntry) => {
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    entries.push(entry);
  };
  for (const backend of backends.filter((b) => b.available !== false)) {
    add({ id: backend.name, backend: backend.name });
    for (const alias of Object.keys(backend.aliases)) {
      add({ id: `${backend.name}:${alias}`, backend: backend.name, model: alias });
    }
    if (backend.defaultModel && !isModelAlias(backend.defaultModel)) {
      add({ id: backend.defaultModel, backend: backend.name, model: backend.defaultModel });
    }
  }
  return entries;
}

/**
 * What `requested` selects. An empty name means the default backend. Throws a 404
 * {@linkcode ApiError} (`model_not_found`) for a name that selects nothing.
 */
export function chooseModel(
  backends: readonly BackendInfo[],
  defaultBackend: string,
  requested: string | undefined,
): ModelChoice {
  const name = requested?.trim() ?? "";
  if (name === "") return { backend: defaultBackend };
  const byName = new Map(backends.map((b) => [b.name, b]));
  if (byName.has(name)) return { backend: name };
  const colon = name.indexOf(":");
  if (colon > 0 && byName.has(name.slice(0, colon))) {
    const model = name.slice(colon + 1).trim();
    return model ? { backend: name.slice(0, colon), model } : { backend: name.slice(0, colon) };
  }
  const configured = backends.find((b) => b.defaultModel === name && !isModelAlias(name));
  if (configured) return { backend: configured.name, model: name };
  const known = modelEntries(backends).map((entry) => entry.id);
  throw new ApiError(
    "not_found",
    `The model "${name}" does not exist on this server; use a backend name or backend:model, ` +
      `e.g. ${known.slice(0, 6).join(", ") || "claude"} (GET /v1/models lists them)`,
    { code: "model_not_found", param: "model" },
  );
}
