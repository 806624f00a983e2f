/**
 * Building blocks of the backends' error classifiers: what an HTTP status of a model API means,
 * and the patterns every CLI shares for a network failure.
 * @module
 */
import type { ErrorClass } from "../types.ts";

/**
 * The class of a model API's HTTP status: 400/413/422 a bad request, 401/403 auth, 404 not
 * found, 408/429 rate limit (a 408 is the server shedding load), any 5xx (and Anthropic's 529)
 * overloaded — the server side, usually temporary. `undefined` for anything else.
 *
 * @example
 * ```ts
 * classOfHttpStatus(429); // "rate_limit"
 * classOfHttpStatus(503); // "overloaded"
 * ```
 */
export function classOfHttpStatus(status: number | undefined): ErrorClass | undefined {
  if (status === undefined) return undefined;
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 408 || status === 429) return "rate_limit";
  if (status >= 500 && status <= 599) return "overloaded";
  if (status >= 400 && status <= 499) return "bad_request";
  return undefined;
}

/** An HTTP error status written in an error text: `API Error: 400`, `status 401`, `(429)`, `"code":500`. */
export function httpStatusIn(text: string): number | undefined {
  const match =
    /\b(?:API Error:?|status(?: code)?|HTTP)\s*\(?(\d{3})\b|\((\d{3})\)|"code"\s*:\s*(\d{3})\b/i
      .exec(text);
  const found = match?.slice(1).find((group) => group !== undefined);
  const status = found === undefined ? undefined : Number(found);
  return status !== undefined && status >= 400 && status <= 599 ? status : undefined;
}

/** Texts of a connection that never reached the model API, in the words the CLIs use. */
export const NETWORK_ERROR =
  /\b(?:ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ConnectionRefused|fetch failed|Unable to connect|Connection failed|error sending request|network|socket hang up|getaddrinfo)\b/i;

/** Texts of a model API that is over capacity. */
export const OVERLOADED_ERROR = /\b(?:overloaded|high demand|capacity|temporarily unavailable)\b/i;

/** Texts of a rate or usage limit. */
export const RATE_LIMIT_ERROR = /\b(?:rate.?limit|too many requests|usage limit|quota)\b/i;
