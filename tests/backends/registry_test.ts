import assert from "node:assert/strict";
import { backendNames, getBackend, isBackendName } from "../../src/backends/registry.ts";
import { ClinvkError, ExitCode } from "../../src/errors.ts";

Deno.test("getBackend() returns the adapter named by each backend name", () => {
  assert.deepEqual([...backendNames], ["claude", "codex", "gemini"]);
  for (const name of backendNames) {
    const backend = getBackend(name);
    assert.equal(backend.name, name);
    assert.equal(backend.defaultCommand, name);
    assert.match(backend.installHint, /^Install .+\.$/);
  }
});

Deno.test("getBackend() rejects an unknown name with a usage error listing the valid ones", () => {
  assert.throws(
    () => getBackend("copilot"),
    (e: unknown) =>
      e instanceof ClinvkError && e.exitCode === ExitCode.Usage &&
      e.message === 'Unknown backend "copilot"' && e.hint === "Use one of: claude, codex, gemini.",
  );
});

Deno.test("isBackendName() accepts only the built-in names", () => {
  assert.equal(isBackendName("gemini"), true);
  assert.equal(isBackendName("Gemini"), false);
  assert.equal(isBackendName("toString"), false);
});

Deno.test("backends declare which of them fork and forget natively", () => {
  assert.deepEqual(
    backendNames.map((n) => [n, getBackend(n).nativeFork, getBackend(n).nativeEphemeral]),
    [["claude", true, true], ["codex", true, true], ["gemini", false, false]],
  );
  assert.equal(getBackend("claude").deleteSessionArgs, undefined);
});
