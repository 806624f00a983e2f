/**
 * The backends the server offers (from the engine's backend registry) and the model names
 * clients may ask for:
 *
 * - `<backend>`: the backend with its configured default model;
 * - `<backend>:<alias or model>`: e.g. `claude:fast`, `codex:gpt-5.5`;
 * - a concrete model configured as a backend's `model` (e.g. `claude-sonnet-4-5`), which
 *   selects that backend.
 * @module
 */
import {
  type BackendAvailability,
  backendAvailability,
  type BackendInfo,
  listBackends,
} from "../backends/registry.ts";
import { isModelAlias } from "../backends/shared/models.ts";
import type { Config } from "../config/schema.ts";
import type { Platform } from "../platform/types.ts";
import { ApiError } from "./api_error.ts";

export type { BackendInfo };

/** A configured backend and, once looked up, whether its executable is installed. */
export interface ServedBackend extends BackendInfo {
  availability?: BackendAvailability;
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

/** The configured backends (without looking for their executables). */
export function configuredBackends(config: Config): ServedBackend[] {
  return listBackends(config);
}

/** The configured backends, each with whether its executable is installed. */
export async function installedBackends(
  platform: Platform,
  config: Config,
): Promise<ServedBackend[]> {
  const availability = await backendAvailability(config, platform);
  return listBackends(config).map((backend) => ({
    ...backend,
    availability: availability.find((a) => a.name === backend.name),
  }));
}

/** The model ids of the backends not known to be missing, in backend order. */
export function modelEntries(backends: readonly ServedBackend[]): ModelEntry[] {
  const entries: ModelEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: ModelEntry) => {
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    entries.push(entry);
  };
  for (const backend of backends.filter((b) => b.availability?.available !== false)) {
    add({ id: backend.name, backend: backend.name });
    for (const alias of Object.keys(backend.models)) {
      add({ id: `${backend.name}:${alias}`, backend: backend.name, model: alias });
    }
    if (backend.defaultModel && !isModelAlias(backend.defaultModel)) {
      add({ id: backend.defaultModel, backend: backend.name, model: backend.defaultModel });
    }
  }
  return entries;
}

/**
 * What `requested` selects. An empty name means `fallback`. Throws a 404 {@linkcode ApiError}
 * (`model_not_found`) for a name that selects nothing.
 */
export function chooseModel(
  backends: readonly BackendInfo[],
  fallback: string,
  requested: string | undefined,
): ModelChoice {
  const name = requested?.trim() ?? "";
  if (name === "") return { backend: fallback };
  const names = new Set(backends.map((b) => b.name));
  if (names.has(name)) return { backend: name };
  const colon = name.indexOf(":");
  if (colon > 0 && names.has(name.slice(0, colon))) {
    const model = name.slice(colon + 1).trim();
    return model ? { backend: name.slice(0, colon), model } : { backend: name.slice(0, colon) };
  }
  const configured = backends.find((b) => b.defaultModel === name && !isModelAlias(name));
  if (configured) return { backend: configured.name, model: name };
  const known = modelEntries(backends).map((entry) => entry.id);
  throw new ApiError(
    "not_found",
    `The model "${name}" does not exist on this server; use a backend name or backend:model, ` +
      `e.g. ${known.slice(0, 6).join(", ")} (GET /v1/models lists them)`,
    { code: "model_not_found", param: "model" },
  );
}
