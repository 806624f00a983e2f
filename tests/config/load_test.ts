import assert from "node:assert/strict";
import { join } from "node:path";
import { ClinvkError } from "../../src/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import type { Fs } from "../../src/platform/types.ts";
import { fakeEnv, tempDir } from "./helpers.ts";

const env = fakeEnv({ USER: "ada" });

/** Writes `text` as config.yaml in `dir` and loads it. */
async function loadText(dir: string, text: string) {
  const path = join(dir, "config.yaml");
  await Deno.writeTextFile(path, text);
  return loadConfig({ fs: Deno, env, path, explicit: false });
}

/** Asserts that `promise` rejects with a usage error whose message matches `pattern`. */
async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<ClinvkError> {
  let caught: unknown;
  await promise.catch((e) => caught = e);
  assert.ok(caught instanceof ClinvkError, `expected a ClinvkError, got ${caught}`);
  assert.equal(caught.exitCode, 2);
  assert.match(caught.message, pattern);
  return caught;
}

Deno.test("loadConfig() gives the defaults when the default config file is missing", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  const loaded = await loadConfig({ fs: Deno, env, path, explicit: false });
  assert.deepEqual(loaded.config, defaultConfig());
  assert.deepEqual(loaded.source, { path, exists: false, explicit: false });
});

Deno.test("loadConfig() fails naming the path when an explicit --config file is missing", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "nope.yaml");
  await rejectsWith(
    loadConfig({ fs: Deno, env, path, explicit: true }),
    new RegExp(`Cannot read config ${path}: no such file`),
  );
});

Deno.test("loadConfig() gives the defaults for an empty or comments-only file", async () => {
  await using dir = await tempDir();
  assert.deepEqual((await loadText(dir.path, "")).config, defaultConfig());
  assert.deepEqual((await loadText(dir.path, "# nothing yet\n\n")).config, defaultConfig());
});

Deno.test("loadConfig() merges the file over the defaults", async () => {
  await using dir = await tempDir();
  const { config, source } = await loadText(
    dir.path,
    [
      "default_backend: codex",
      "backends:",
      "  codex:",
      "    model: gpt-5",
      "    extra_args: [--search]",
      "session:",
      "  retention_days: 0",
      "output:",
      "  format: json",
      "",
    ].join("\n"),
  );
  const expected = defaultConfig();
  expected.default_backend = "codex";
  expected.backends.codex.model = "gpt-5";
  expected.backends.codex.extra_args = ["--search"];
  expected.session.retention_days = 0;
  expected.output.format = "json";
  assert.deepEqual(config, expected);
  assert.equal(source.exists, true);
});

Deno.test("loadConfig() expands ${USER} in default_tags as in the guide", async () => {
  await using dir = await tempDir();
  const block = 'session:\n  default_tags:\n    - "clinvk"\n    - "${USER}"\n';
  assert.deepEqual((await loadText(dir.path, block)).config.session.default_tags, [
    "clinvk",
    "ada",
  ]);
  const flow = 'session:\n  default_tags: ["clinvk", "${USER}"]\n';
  assert.deepEqual((await loadText(dir.path, flow)).config.session.default_tags, ["clinvk", "ada"]);
});

Deno.test("loadConfig() treats a key with no value as unset", async () => {
  await using dir = await tempDir();
  const { config } = await loadText(dir.path, "session:\n  retention_days:\noutput:\n");
  assert.deepEqual(config, defaultConfig());
});

Deno.test("loadConfig() reports malformed YAML with file:line:column", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await rejectsWith(
    loadText(dir.path, "session:\n  retention_days: 30\n  default_tags: [a, b\n"),
    new RegExp(`^Invalid config ${path}:\\d+:\\d+: \\S`),
  );
  const error = await rejectsWith(
    loadText(dir.path, "output:\n\tformat: json\n"),
    /config\.yaml:2:1: Tabs are not allowed/,
  );
  assert.doesNotMatch(error.message, /\n/);
});

Deno.test("loadConfig() reports a duplicate key with its position", async () => {
  await using dir = await tempDir();
  await rejectsWith(
    loadText(dir.path, "timeout_seconds: 1\ntimeout_seconds: 2\n"),
    /config\.yaml:2:1: Map keys must be unique/,
  );
});

Deno.test("loadConfig() reports an unknown key with its position and the closest key", async () => {
  await using dir = await tempDir();
  await rejectsWith(
    loadText(dir.path, "# settings\nsession:\n  retension_days: 7\n"),
    /config\.yaml:3:3: unknown key "session\.retension_days" \(did you mean "session\.retention_days"\?\)$/,
  );
});

Deno.test("loadConfig() suggests the right section for a key in the wrong place", async () => {
  await using dir = await tempDir();
  await rejectsWith(
    loadText(dir.path, "retention_days: 7\n"),
    /config\.yaml:1:1: unknown key "retention_days" \(did you mean "session\.retention_days"\?\)/,
  );
});

Deno.test("loadConfig() names the known backends for an unknown backend section", async () => {
  await using dir = await tempDir();
  await rejectsWith(
    loadText(dir.path, "backends:\n  copilot:\n    model: x\n"),
    /config\.yaml:2:3: unknown backend "copilot": to define a backend of your own, give it kind: custom \(built in: claude, codex, gemini\)/,
  );
});

const wrongTypes: [string, string, RegExp][] = [
  [
    "a string for a number",
    "session:\n  retention_days: thirty\n",
    /2:19: session\.retention_days: expected an integer from 0 to 36500, got "thirty"/,
  ],
  [
    "a quoted number",
    'session:\n  retention_days: "30"\n',
    /2:19: .*expected an integer from 0 to 36500, got "30"/,
  ],
  [
    "a negative number",
    "timeout_seconds: -1\n",
    /1:18: timeout_seconds: expected an integer from 0 to \d+, got -1/,
  ],
  ["a fraction", "timeout_seconds: 1.5\n", /expected an integer from 0 to \d+, got 1\.5/],
  [
    "a word for a boolean",
    "session:\n  store_token_usage: yes\n",
    /2:22: .*expected true or false, got "yes"/,
  ],
  [
    "a bad enum value",
    "output:\n  format: xml\n",
    /2:11: output\.format: expected one of text, json, stream-json, got "xml"/,
  ],
  [
    "a bad backend",
    "default_backend: copilot\n",
    /default_backend "copilot" is not a configured backend \(configured: claude, codex, gemini\)/,
  ],
  [
    "a string for a list",
    "session:\n  default_tags: clinvk\n",
    /2:17: .*expected a list of strings, got "clinvk"/,
  ],
  ["a number in a list", "session:\n  default_tags:\n    - ok\n    - 42\n", /4:7: .*item 2 is 42/],
  [
    "a number for a string",
    "backends:\n  claude:\n    model: 4\n",
    /3:12: .*expected a string, got 4 \(quote it: "4"\)/,
  ],
  ["a list for a section", "session: [a]\n", /1:10: expected a mapping of keys under "session"/],
  ["a scalar at the top", "just text\n", /1:1: expected a mapping of config keys at the top level/],
  [
    "a bad env name",
    "backends:\n  gemini:\n    env:\n      BAD-NAME: x\n",
    /bad variable name "BAD-NAME"/,
  ],
  ["a bad ${} reference", 'session:\n  default_tags: ["${USER"]\n', /2:18: .*unterminated/],
];
for (const [what, text, pattern] of wrongTypes) {
  Deno.test(`loadConfig() rejects ${what} with its position`, async () => {
    await using dir = await tempDir();
    await rejectsWith(loadText(dir.path, text), pattern);
  });
}

Deno.test("loadConfig() counts the further problems and points at config validate", async () => {
  await using dir = await tempDir();
  const error = await rejectsWith(
    loadText(dir.path, "nope: 1\ntimeout_seconds: x\noutput:\n  color: pink\n"),
    /config\.yaml:1:1: unknown key "nope" \(and 2 more problems\)/,
  );
  assert.match(error.hint ?? "", /clinvk config validate/);
});

Deno.test("loadConfig() fails clearly when the config path is a directory", async () => {
  await using dir = await tempDir();
  for (const explicit of [true, false]) {
    await rejectsWith(
      loadConfig({ fs: Deno, env, path: dir.path, explicit }),
      /Cannot read config .*: it is a directory, not a file/,
    );
  }
});

Deno.test("loadConfig() fails clearly when reading is not permitted", async () => {
  const deniedBy = (error: Error): Fs =>
    ({
      readTextFile: () => Promise.reject(error),
      stat: () => Promise.reject(error),
    }) as unknown as Fs;
  const path = "/etc/clinvk.yaml";
  await rejectsWith(
    loadConfig({
      fs: deniedBy(new Deno.errors.PermissionDenied("EACCES")),
      env,
      path,
      explicit: true,
    }),
    /^Cannot read config \/etc\/clinvk\.yaml: permission denied$/,
  );
  const error = await rejectsWith(
    loadConfig({
      fs: deniedBy(new Deno.errors.NotCapable("no --allow-read")),
      env,
      path,
      explicit: true,
    }),
    /Deno permission missing/,
  );
  assert.match(error.hint ?? "", /--allow-read \(see README/);
});

Deno.test("loadConfig() reuses the cached parse of an unchanged file and parses a changed one", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "sessions"));
  const path = join(dir.path, "config.yaml");
  const cache = join(dir.path, "sessions", ".config-cache");
  await Deno.writeTextFile(path, "output:\n  format: json\n");
  const load = () => loadConfig({ fs: Deno, env, path, explicit: false, cacheHome: dir.path });
  assert.equal((await load()).config.output.format, "json");
  assert.equal((await Deno.stat(cache)).mode! & 0o777, 0o600);
  // Proof that the cache is what answers: a cached parse changed by hand comes back.
  const entry = JSON.parse(await Deno.readTextFile(cache));
  entry.config.output.format = "stream-json";
  await Deno.writeTextFile(cache, JSON.stringify(entry));
  assert.equal((await load()).config.output.format, "stream-json");
  // A changed file is parsed again, whatever the cache holds.
  await Deno.writeTextFile(path, "output:\n  format: text\n");
  assert.equal((await load()).config.output.format, "text");
  // A broken cache is ignored; an invalid file is reported, never cached.
  await Deno.writeTextFile(cache, "{not json");
  assert.equal((await load()).config.output.format, "text");
  await Deno.writeTextFile(path, "output:\n  format: yaml\n");
  await rejectsWith(load(), /output\.format/);
});

Deno.test("loadConfig() caches nothing where there is no session store yet", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, "timeout_seconds: 5\n");
  await loadConfig({ fs: Deno, env, path, explicit: false, cacheHome: dir.path });
  assert.deepEqual((await Array.fromAsync(Deno.readDir(dir.path))).map((e) => e.name), [
    "config.yaml",
  ]);
});
