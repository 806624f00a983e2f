/**
 * Session ids: exactly {@linkcode ID_LENGTH} lowercase letters and digits, drawn from a CSPRNG
 * without modulo bias. 36^10 ≈ 3.7e15 ids, so collisions are rare; the store still checks for
 * an existing file and draws again.
 * @module
 */
import { usageError } from "../errors.ts";

/** Length of the ids clinvk generates. */
export const ID_LENGTH = 10;

/** The characters of an id, in the order they are drawn. */
export const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

// Bytes at or above the largest multiple of 36 that fits in a byte (252) are thrown away, so
// every character is equally likely.
const UNBIASED_LIMIT = 256 - (256 % ID_ALPHABET.length);

/** Longest id clinvk accepts from a file name or the command line. */
export const MAX_ID_LENGTH = 64;

const STORED_ID = new RegExp(`^[a-z0-9]{1,${MAX_ID_LENGTH}}$`);

/** Fills a buffer with random bytes; `crypto.getRandomValues` unless a test injects one. */
export type RandomFill = (bytes: Uint8Array) => Uint8Array;

const cryptoFill: RandomFill = (bytes) => crypto.getRandomValues(bytes);

/**
 * Draws a fresh id.
 *
 * @example
 * ```ts
 * const id = generateId(); // e.g. "k3v9q0x7ma"
 * ```
 */
export function generateId(fill: RandomFill = cryptoFill): string {
  let id = "";
  while (id.length < ID_LENGTH) {
    for (const byte of fill(new Uint8Array(16))) {
      if (byte < UNBIASED_LIMIT && id.length < ID_LENGTH) {
        id += ID_ALPHABET[byte % ID_ALPHABET.length];
      }
    }
  }
  return id;
}

/**
 * Whether `value` may name a session file: 1–64 lowercase letters and digits. Generated ids are
 * always 10 long, but hand-made or older ids of other lengths are still sessions.
 */
export function isValidId(value: string): boolean {
  return STORED_ID.test(value);
}

/**
 * Normalises an id or id prefix typed by a user (lower-cases it) and rejects anything that is
 * not a plain id — `/`, `..`, spaces, non-ASCII, empty — so it can never escape `sessions/`.
 * Throws a usage error (exit 2).
 */
export function parseIdInput(input: string): string {
  const id = input.trim().toLowerCase();
  if (!isValidId(id)) {
    const shown = JSON.stringify(input);
    throw usageError(
      id === ""
        ? "Invalid session id: it is empty"
        : `Invalid session id ${shown}: use only letters and digits (at most ${MAX_ID_LENGTH})`,
      "Run `clinvk sessions list` to see session ids.",
    );
  }
  return id;
}
