import assert from "node:assert/strict";
import { join } from "node:path";
import {
  backendAvailability,
  backendNames,
  getBackend,
  isBackendName,
  listBackends,
} from "../../src/backends/registry.ts";
import { defaultConfig } from "../../src/config/schema.ts";
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

Deno.test("backends declare how they fork and forget", () => {
  assert.deepEqual(
    backendNames.map((n) => [n, getBackend(n).fork, getBackend(n).ephemeral]),
    [["claude", "native", "native"], ["codex", "native", "native"], ["gemini", "copy", "forget"]],
  );
});

Deno.test("listBackends() lists the configured backends with their commands and model aliases", () => {
  const config = defaultConfig();
  config.backends.codex.command = "/opt/codex/bin/codex";
  config.backends.gemini.model = "fast";
  const listed = listBackends(config);
  assert.deepEqual(listed.map((b) => [b.name, b.kind, b.command]), [
    ["claude", "builtin", "claude"],
    ["codex", "builtin", "/opt/codex/bin/codex"],
    ["gemini", "builtin", "gemini"],
  ]);
  assert.deepEqual(listed[0]!.models, { fast: "haiku", balanced: "sonnet", best: "opus" });
  assert.equal(listed[2]!.defaultModel, "fast");
  assert.equal(listed[0]!.defaultModel, undefined);
  assert.equal(listed[1]!.label, "Codex CLI");
});

Deno.test("backendAvailability() finds executables on PATH, at a configured path, or says why not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clinvk-registry-" });
  try {
    const bin = join(dir, "bin");
    const other = join(dir, "other");
    await Deno.mkdir(bin);
    await Deno.mkdir(other);
    await Deno.writeTextFile(join(bin, "claude"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(join(bin, "gemini"), "not executable\n", { mode: 0o644 });
    await Deno.writeTextFile(join(other, "gemini"), "#!/bin/sh\n", { mode: 0o755 });
    const config = defaultConfig();
    config.backends.codex.command = join(dir, "missing", "codex");
    const platform = {
      fs: Deno,
      env: { get: (name: string) => (name === "PATH" ? bin : undefined) },
      os: "linux" as const,
      cwd: () => dir,
    };
    const found = await backendAvailability(config, platform);
    assert.deepEqual(found.map((b) => [b.name, b.available]), [
      ["claude", true],
      ["codex", false],
      ["gemini", false],
    ]);
    assert.equal(found[0]!.path, join(bin, "claude"));
    assert.match(found[1]!.reason!, /missing\/codex does not exist/);
    assert.equal(found[2]!.reason, "not found on PATH");

    // The PATH the backend process gets decides, and `names` picks which to check.
    config.backends.gemini.env = { PATH: `${bin}:${other}` };
    const [gemini] = await backendAvailability(config, platform, ["gemini"]);
    assert.deepEqual(gemini, {
      name: "gemini",
      command: "gemini",
      available: true,
      path: join(other, "gemini"),
    });
    await assert.rejects(
      backendAvailability(config, platform, ["nope"]),
      (e) => e instanceof ClinvkError && e.exitCode === ExitCode.Usage,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
