/**
 * Keeping secrets out of `config show` and `config get`. A backend's `env` is where API keys
 * go, usually as `${ANTHROPIC_API_KEY}` so the file itself holds none; once expanded, the key
 * would be printed to the terminal (and to CI logs). Such values, and keys the schema marks as
 * secret (`nats.password`, `nats.token`), are shown masked unless the user asks for them with
 * `--show-secrets`.
 * @module
 */
import { referencesVariable } from "./expand.ts";
import { type Config, CONFIG_KEYS, getAtPath, setAtPath } from "./schema.ts";

/** What a hidden value shows instead. */
export const MASK = "********";

/** One `backends.<name>.env.<VAR>` entry. */
export interface SecretRef {
  backend: string;
  name: string;
}

/**
 * The `backends.*.env` entries of `raw` (the config as written, before `${VAR}` expansion)
 * whose value comes from an environment variable.
 */
export function findSecrets(raw: Config): SecretRef[] {
  return Object.entries(raw.backends).flatMap(([backend, settings]) =>
    Object.entries(settings?.env ?? {})
      .filter(([, value]) => typeof value === "string" && referencesVariable(value))
      .map(([name]) => ({ backend, name }))
  );
}

/**
 * A copy of `config` with each secret replaced by {@linkcode MASK}. One that expanded to the
 * empty string stays empty, so a variable that is not set still shows as such.
 */
export function maskSecrets(config: Config, secrets: readonly SecretRef[]): Config {
  const secretKeys = CONFIG_KEYS.filter((spec) => spec.secret && getAtPath(config, spec.path));
  if (secrets.length === 0 && secretKeys.length === 0) return config;
  const masked = structuredClone(config);
  for (const spec of secretKeys) {
    setAtPath(masked as unknown as Record<string, unknown>, spec.path, MASK);
  }
  const backends = masked.backends as Record<string, { env: Record<string, string> }>;
  for (const { backend, name } of secrets) {
    const env = backends[backend]?.env;
    if (env && env[name]) env[name] = MASK;
  }
  return masked;
}
