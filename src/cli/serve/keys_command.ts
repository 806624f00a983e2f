/**
 * `clinvk serve keys add|list|revoke`: API keys of the server. A new key is printed once;
 * config keeps only `server.api_keys.<name>: sha256:<hex>`, written with its comments kept.
 * @module
 */
import { configPath } from "../../config/paths.ts";
import { setConfigValue, unsetConfigValue } from "../../config/set.ts";
import { usageError } from "../../errors.ts";
import { renderTable } from "../../output/table.ts";
import {
  API_KEYS_ENV,
  generateApiKey,
  hashApiKey,
  isValidKeyName,
  knownKeys,
} from "../../server/api_keys.ts";
import type { AppContext } from "../context.ts";
import { homeDir, loadAppConfig } from "../services.ts";
import type { KeysFlags, KeysJsonFlags } from "./routes.ts";

function checkName(name: string): void {
  if (!isValidKeyName(name)) {
    throw usageError(
      `"${name}" cannot name an API key`,
      "Use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    );
  }
}

/** `keys add NAME`. */
export async function addKey(this: AppContext, flags: KeysJsonFlags, name: string): Promise<void> {
  checkName(name);
  const { config } = await loadAppConfig(this, flags.config);
  if (Object.hasOwn(config.server.api_keys, name)) {
    throw usageError(
      `An API key named "${name}" already exists`,
      `Pick another name, or revoke it first: clinvk serve keys revoke ${name}.`,
    );
  }
  const key = generateApiKey();
  const hash = await hashApiKey(key);
  const path = configPath(homeDir(this), flags.config);
  await setConfigValue({
    fs: this.platform.fs,
    path,
    key: `server.api_keys.${name}`,
    rawValue: hash,
  });
  if (flags.json) {
    this.platform.stdout.write(JSON.stringify({ name, key, hash }) + "\n");
  } else {
    this.platform.stdout.write(key + "\n");
  }
  this.platform.stderr.write(
    `Added API key "${name}" to ${path} (stored as its SHA-256). This is the only time it is ` +
      "shown: keep it now. A running server picks it up when restarted.\n",
  );
}

/** `keys list`. */
export async function listKeys(this: AppContext, flags: KeysJsonFlags): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const keys = await knownKeys(config.server.api_keys, this.platform.env.get(API_KEYS_ENV));
  const rows = keys.map((key) => ({
    name: key.name,
    source: key.source === "env" ? API_KEYS_ENV : "config",
    hash_prefix: [...key.hash.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join(""),
  }));
  if (flags.json) {
    this.platform.stdout.write(JSON.stringify(rows, null, 2) + "\n");
    return;
  }
  if (rows.length === 0) {
    this.platform.stderr.write("No API keys. Add one with clinvk serve keys add NAME.\n");
    return;
  }
  this.platform.stdout.write(
    renderTable(
      ["NAME", "SOURCE", "SHA-256"],
      rows.map((row) => [row.name, row.source, `${row.hash_prefix}…`]),
    ),
  );
}

/** `keys revoke NAME`. */
export async function revokeKey(this: AppContext, flags: KeysFlags, name: string): Promise<void> {
  checkName(name);
  const path = configPath(homeDir(this), flags.config);
  const { removed } = await unsetConfigValue({
    fs: this.platform.fs,
    path,
    key: `server.api_keys.${name}`,
  });
  if (!removed) {
    throw usageError(
      `There is no API key named "${name}" in ${path}`,
      "See clinvk serve keys list (keys from CLINVK_API_KEYS are removed there).",
    );
  }
  this.platform.stderr.write(
    `Revoked API key "${name}". A running server stops accepting it when restarted.\n`,
  );
}
