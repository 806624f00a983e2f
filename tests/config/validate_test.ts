import assert from "node:assert/strict";
import { join } from "node:path";
import { formatProblem, parseConfigText, validateConfigFile } from "../../src/config/validate.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { tempDir } from "./helpers.ts";

Deno.test("parseConfigText() returns every problem, not just the first", () => {
  const text = [
    "default_backend: copilot",
    "session:",
    "  retension_days: 7",
    "  store_token_usage: maybe",
    "output:",
    "  color: pink",
    "",
  ].join("\n");
  assert.deepEqual(parseConfigText(text, "c.yaml").problems.map(formatProblem), [
    'c.yaml:1:18: default_backend "copilot" is not a configured backend (configured: claude, codex, gemini)',
    'c.yaml:3:3: unknown key "session.retension_days" (did you mean "session.retention_days"?)',
    'c.yaml:4:22: session.store_token_usage: expected true or false, got "maybe"',
    'c.yaml:6:10: output.color: expected one of auto, always, never, got "pink"',
  ]);
});

Deno.test("parseConfigText() keeps the valid keys of a file that has problems", () => {
  const { config, problems } = parseConfigText("timeout_seconds: 5\nnope: 1\n", "c.yaml");
  assert.equal(problems.length, 1);
  assert.equal(config.timeout_seconds, 5);
});

Deno.test("parseConfigText() rejects dotted keys instead of reading them as nesting", () => {
  const { config, problems } = parseConfigText("output.format: json\n", "c.yaml");
  assert.deepEqual(problems.map(formatProblem), [
    'c.yaml:1:1: dotted key "output.format": nest it as "output:" with "format:" under it',
  ]);
  assert.equal(config.output.format, "text");
});

Deno.test("parseConfigText() follows YAML aliases", () => {
  const text =
    'session:\n  default_tags: &tags ["a"]\nbackends:\n  claude:\n    extra_args: *tags\n';
  const { config, problems } = parseConfigText(text, "c.yaml");
  assert.deepEqual(problems, []);
  assert.deepEqual(config.backends.claude.extra_args, ["a"]);
});

Deno.test("parseConfigText() leaves ${VAR} unexpanded (load expands)", () => {
  const { config } = parseConfigText('session:\n  default_tags: ["${USER}"]\n', "c.yaml");
  assert.deepEqual(config.session.default_tags, ["${USER}"]);
  assert.deepEqual({ ...config, session: defaultConfig().session }, defaultConfig());
});

Deno.test("validateConfigFile() says when there is no file to check", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  assert.deepEqual(await validateConfigFile({ fs: Deno, path, explicit: false }), {
    path,
    exists: false,
    problems: [],
  });
  await Deno.writeTextFile(path, "timeout_seconds: x\n");
  const result = await validateConfigFile({ fs: Deno, path, explicit: false });
  assert.equal(result.exists, true);
  assert.deepEqual(result.problems.map((p) => [p.line, p.column]), [[1, 18]]);
});
