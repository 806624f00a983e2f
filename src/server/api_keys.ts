/**
 * API keys of `clinvk serve`. A key is shown once when created; config keeps only its SHA-256
 * (`server.api_keys.<name>: sha256:<hex>`), and `CLINVK_API_KEYS` may add keys (plain or
 * `sha256:` hashed, comma-separated). A presented key is hashed and compared with every known
 * hash in constant time, so neither the comparison nor the number of keys leaks where it
 * differs.
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { usageError } from "../errors.ts";

/** Prefix of the keys clinvk generates, so they are recognisable in a leaked file. */
export const KEY_PREFIX = "clinvk_";

/** The environment variable that adds keys without touching config. */
export const API_KEYS_ENV = "CLINVK_API_KEYS";

/** Key names are used in metrics labels and config paths: keep them plain. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HASH_PATTERN = /^sha256:([0-9a-f]{64})$/;

/** One key the server accepts. */
export interface KnownKey {
  /** The name shown in logs, metrics and `keys list` (never the key). */
  name: string;
  /** SHA-256 of the key. */
  hash: Uint8Array;
  /** Where it came from. */
  source: "config" | "env";
}

/** A fresh random key: the prefix and 32 random bytes in base64url. */
export function generateApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return KEY_PREFIX + base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** `sha256:<hex>` of `key`, as stored in config. */
export async function hashApiKey(key: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)),
  );
  return `sha256:${[...digest].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Whether `name` can name a key. */
export function isValidKeyName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

function hashBytes(stored: string): Uint8Array | undefined {
  const hex = HASH_PATTERN.exec(stored)?.[1];
  if (!hex) return undefined;
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}

/**
 * The keys from config and `CLINVK_API_KEYS`.
 *
 * @throws {ClinvkError} exit 2 for a config entry that is not `sha256:<64 hex digits>` or a
 * bad key name — a server must not start with a key it silently ignores.
 */
export async function knownKeys(
  configured: Readonly<Record<string, string>>,
  envValue: string | undefined,
): Promise<KnownKey[]> {
  const keys: KnownKey[] = [];
  for (const [name, stored] of Object.entries(configured)) {
    const hash = hashBytes(stored.trim());
    if (!isValidKeyName(name) || !hash) {
      throw usageError(
        `server.api_keys.${name} is not a valid key entry (expected a name of letters, digits, ` +
          "'.', '_' or '-' and a value sha256:<64 hex digits>)",
        "Add keys with clinvk serve keys add NAME; remove this one with clinvk serve keys revoke.",
      );
    }
    keys.push({ name, hash, source: "config" });
  }
  const fromEnv = (envValue ?? "").split(",").map((part) => part.trim()).filter(Boolean);
  for (const [index, entry] of fromEnv.entries()) {
    const hash = entry.startsWith("sha256:")
      ? hashBytes(entry)
      : hashBytes(await hashApiKey(entry));
    if (!hash) {
      throw usageError(
        `${API_KEYS_ENV} entry ${index + 1} starts with sha256: but is not sha256:<64 hex digits>`,
      );
    }
    keys.push({ name: `env-${index + 1}`, hash, source: "env" });
  }
  return keys;
}

/**
 * The key `presented` matches, or `undefined`. Every known key is compared, each in constant
 * time, whatever matched first.
 */
export async function verifyApiKey(
  keys: readonly KnownKey[],
  presented: string,
): Promise<KnownKey | undefined> {
  const hash = hashBytes(await hashApiKey(presented))!;
  let match: KnownKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.hash, hash) && !match) match = key;
  }
  return match;
}
