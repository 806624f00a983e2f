import assert from "node:assert/strict";
import { parse } from "yaml";
import { ClinvkError } from "../../src/errors.ts";
import { getConfigValue, renderConfigValue } from "../../src/config/get.ts";
import { renderConfigReference, renderConfigYaml } from "../../src/config/render.ts";
import { BACKEND_KEYS, configKeyPaths, defaultConfig } from "../../src/config/schema.ts";
import { parseConfigText } from "../../src/config/validate.ts";

Deno.test("getConfigValue() returns a leaf, a section, a mapping entry or everything", () => {
  const config = defaultConfig();
  config.backends.claude.env = { API_BASE: "http://x" };
  assert.equal(getConfigValue(config, "session.retention_days"), 30);
  assert.deepEqual(getConfigValue(config, "session"), config.session);
  assert.equal(getConfigValue(config, "backends.claude.env.API_BASE"), "http://x");
  assert.equal(getConfigValue(config, "backends.claude.model"), undefined);
  assert.equal(getConfigValue(config, ""), config);
});

Deno.test("getConfigValue() rejects an unknown key with a suggestion", () => {
  assert.throws(
    () => getConfigValue(defaultConfig(), "output.colour"),
    (e) => e instanceof ClinvkError && e.exitCode === 2 && /"output\.color"/.test(e.hint ?? ""),
  );
});

Deno.test("renderConfigValue() prints scalars bare and collections as YAML", () => {
  assert.equal(renderConfigValue("json"), "json");
  assert.equal(renderConfigValue(30), "30");
  assert.equal(renderConfigValue(undefined), "");
  assert.equal(renderConfigValue(["a", "b"]), "- a\n- b");
  assert.equal(renderConfigValue({ retention_days: 30 }), "retention_days: 30");
});

Deno.test("renderConfigYaml() output loads back to the same config", () => {
  const config = defaultConfig();
  config.backends.codex.model = "gpt-5";
  config.session.default_tags = ["clinvk", "ada"];
  for (const comments of [false, true]) {
    const text = renderConfigYaml(config, { comments });
    const reparsed = parseConfigText(text, "show.yaml");
    assert.deepEqual(reparsed.problems, []);
    assert.deepEqual(reparsed.config, config);
  }
});

Deno.test("renderConfigYaml() leaves unset optional keys out and can add descriptions", () => {
  const plain = renderConfigYaml(defaultConfig());
  assert.ok(plain.startsWith("default_backend: claude\n"));
  assert.doesNotMatch(plain, /model|command/);
  const commented = renderConfigYaml(defaultConfig(), { comments: true });
  assert.match(commented, /# Days a session is kept .*\n\s+retention_days: 30/);
  assert.deepEqual(parse(commented), parse(plain));
});

Deno.test("renderConfigReference() has one table row per key, and the custom backend keys", () => {
  const rows = renderConfigReference().trimEnd().split("\n").slice(2);
  const customOnly = BACKEND_KEYS.filter((spec) => spec.customOnly).length;
  assert.equal(rows.length, configKeyPaths().length + customOnly);
  assert.ok(rows.some((r) => r.startsWith("| `backends.<name>.args.new` | a list of strings |")));
  assert.ok(
    rows.some((r) =>
      r.startsWith("| `session.retention_days` | an integer from 0 to 36500 | `30` |")
    ),
  );
});
