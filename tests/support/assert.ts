/**
 * Small assertion helpers over `node:assert/strict` (JSR's @std/assert is not reachable).
 * @module
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** `fn` throws an instance of `type` whose message includes `includes`. */
export function assertThrows(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  includes?: string,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    if (includes) {
      assert.ok(error.message.includes(includes), `"${error.message}" lacks "${includes}"`);
    }
    return true;
  });
}

/** `text` contains `part`. */
export function assertIncludes(text: string, part: string): void {
  assert.ok(text.includes(part), `expected to find ${JSON.stringify(part)} in:\n${text}`);
}
