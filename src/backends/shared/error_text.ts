/**
 * Turns the error strings the backends print into one readable line. The CLIs often pass
 * the model API's JSON error body through verbatim (`{"error":{"code":400,"message":…}}`),
 * sometimes wrapped (`[API Error: …]`, `_ApiError: …`); users need the message inside.
 * @module
 */
import { asNumber, asObject, asString } from "./json_value.ts";

/**
 * Collapses runs of whitespace (including newlines) into single spaces, so a multi-line
 * message prints as the one line SPEC §9 asks for.
 */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The human part of a backend error string: unwraps `[API Error: …]` and `SomethingError: `
 * prefixes around a JSON body and returns the body's `error.message` (prefixed with the HTTP
 * status when the body has one); anything else comes back as {@linkcode oneLine}.
 *
 * @example
 * ```ts
 * describeApiError('[API Error: {"error":{"code":400,"message":"bad input"}}]');
 * // "API error 400: bad input"
 * describeApiError("Connection failed: error sending request"); // unchanged
 * ```
 */
export function describeApiError(text: string): string {
  let body = text.trim();
  const wrapped = /^\[API Error:\s*([\s\S]*)\]$/.exec(body);
  if (wrapped?.[1] !== undefined) body = wrapped[1].trim();
  const prefixed = /^[A-Za-z_]*Error:\s*(\{[\s\S]*\})$/.exec(body);
  if (prefixed?.[1] !== undefined) body = prefixed[1];
  return messageOfJsonBody(body) ?? oneLine(text);
}

function messageOfJsonBody(body: string): string | undefined {
  if (!body.startsWith("{")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = asObject(asObject(parsed)?.error);
  const message = asString(error?.message);
  if (message === undefined || message.trim() === "") return undefined;
  const code = asNumber(error?.code);
  return oneLine(code === undefined ? message : `API error ${code}: ${message}`);
}
