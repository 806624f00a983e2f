/**
 * Shared helpers of the config tests.
 * @module
 */
import type { Env } from "../../src/platform/types.ts";

/** An environment holding exactly `vars`. */
export function fakeEnv(vars: Record<string, string> = {}): Env {
  return { get: (name) => vars[name] };
}

/** A temporary directory removed when the test's `await using` scope ends. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "clinvk-config-test-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}
