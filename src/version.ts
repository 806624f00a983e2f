/**
 * clinvk's version, kept in step with `deno.json` by a test.
 * @module
 */

/** The released version of clinvk. */
export const VERSION = "0.1.0";
