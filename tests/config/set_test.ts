import assert from "node:assert/strict";
import { join } from "node:path";
import { ClinvkError } from "../../src/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { parseValueForKey, setConfigValue, unsetConfigValue } from "../../src/config/set.ts";
import { fakeEnv, tempDir } from "./helpers.ts";

const GUIDE_CONFIG = [
  "# clinvk settings",
  "default_backend: claude   # the one I use most",
  "",
  "session:",
  "  # 会话保留天数(0 = 永久保留)",
  "  retention_days: 30",
  "",
  "  # 自动添加到新会话的标签",
  "  default_tags: []",
  "output:",
  "  format: text",
  "",
].join("\n");

async function rejectsUsage(promise: Promise<unknown>, pattern: RegExp): Promise<ClinvkError> {
  let caught: unknown;
  await promise.catch((e) => caught = e);
  assert.ok(caught instanceof ClinvkError, `expected a ClinvkError, got ${caught}`);
  assert.equal(caught.exitCode, 2);
  assert.match(`${caught.message} ${caught.hint ?? ""}`, pattern);
  return caught;
}

Deno.test("setConfigValue() writes the guide's default_tags list and loadConfig() reads it back", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, GUIDE_CONFIG);
  const result = await setConfigValue({
    fs: Deno,
    path,
    key: "session.default_tags",
    rawValue: '["project-x", "feature-y"]',
  });
  assert.deepEqual(result, { path, created: false, value: ["project-x", "feature-y"] });
  const { config } = await loadConfig({ fs: Deno, env: fakeEnv(), path, explicit: true });
  assert.deepEqual(config.session.default_tags, ["project-x", "feature-y"]);
});

Deno.test("setConfigValue() changes only the value's characters when it replaces a one-line value", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, GUIDE_CONFIG);
  await setConfigValue({ fs: Deno, path, key: "session.retention_days", rawValue: "7" });
  await setConfigValue({ fs: Deno, path, key: "session.default_tags", rawValue: '["a", "b"]' });
  assert.equal(
    await Deno.readTextFile(path),
    GUIDE_CONFIG.replace("retention_days: 30", "retention_days: 7")
      .replace("default_tags: []", "default_tags: [a, b]"),
  );
});

Deno.test("setConfigValue() keeps comments byte-for-byte and other keys when adding a key", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, GUIDE_CONFIG);
  await setConfigValue({ fs: Deno, path, key: "backends.codex.model", rawValue: "gpt-5" });
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n");
  for (
    const comment of [
      "# clinvk settings",
      "  # 会话保留天数(0 = 永久保留)",
      "  # 自动添加到新会话的标签",
    ]
  ) assert.ok(lines.includes(comment), `comment line kept: ${comment}\n${text}`);
  assert.match(text, /# the one I use most/);
  const { config } = await loadConfig({ fs: Deno, env: fakeEnv(), path, explicit: true });
  assert.equal(config.backends.codex.model, "gpt-5");
  assert.equal(config.session.retention_days, 30);
  assert.equal(config.output.format, "text");
  assert.equal(config.default_backend, "claude");
});

Deno.test("setConfigValue() keeps a comment after a value it replaces", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, "default_backend: claude   # main\n");
  await setConfigValue({ fs: Deno, path, key: "default_backend", rawValue: "codex" });
  assert.equal(await Deno.readTextFile(path), "default_backend: codex   # main\n");
});

Deno.test("setConfigValue() replaces a block list and keeps the block style", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, "# tags\nsession:\n  default_tags:\n    - old\n");
  await setConfigValue({ fs: Deno, path, key: "session.default_tags", rawValue: "[x, y]" });
  assert.equal(
    await Deno.readTextFile(path),
    "# tags\nsession:\n  default_tags:\n    - x\n    - y\n",
  );
});

Deno.test("setConfigValue() creates the file and its directory (mode 0700) when missing", async () => {
  await using dir = await tempDir();
  const home = join(dir.path, "home", ".clinvk");
  const path = join(home, "config.yaml");
  const result = await setConfigValue({ fs: Deno, path, key: "timeout_seconds", rawValue: "120" });
  assert.equal(result.created, true);
  assert.equal(await Deno.readTextFile(path), "timeout_seconds: 120\n");
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(home)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  }
  // Nothing but config.yaml and its lock is left behind (no temp files).
  assert.deepEqual([...Deno.readDirSync(home)].map((e) => e.name).sort(), [
    ".config.yaml.lock",
    "config.yaml",
  ]);
});

Deno.test("setConfigValue() fills an empty section", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, "session:\n");
  await setConfigValue({ fs: Deno, path, key: "session.retention_days", rawValue: "0" });
  const { config } = await loadConfig({ fs: Deno, env: fakeEnv(), path, explicit: true });
  assert.equal(config.session.retention_days, 0);
});

Deno.test("setConfigValue() sets one entry of a backend's env mapping", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await setConfigValue({
    fs: Deno,
    path,
    key: "backends.claude.env.API_BASE",
    rawValue: "http://x",
  });
  await setConfigValue({ fs: Deno, path, key: "backends.claude.env.DEBUG", rawValue: "1" });
  const { config } = await loadConfig({ fs: Deno, env: fakeEnv(), path, explicit: true });
  assert.deepEqual(config.backends.claude.env, { API_BASE: "http://x", DEBUG: "1" });
});

Deno.test("setConfigValue() writes through a symlinked config file and keeps the link", async () => {
  if (Deno.build.os === "windows") return;
  await using dir = await tempDir();
  const real = join(dir.path, "dotfiles.yaml");
  const link = join(dir.path, "config.yaml");
  await Deno.writeTextFile(real, "timeout_seconds: 1\n");
  await Deno.symlink(real, link);
  await setConfigValue({ fs: Deno, path: link, key: "timeout_seconds", rawValue: "2" });
  assert.equal((await Deno.lstat(link)).isSymlink, true);
  assert.equal(await Deno.readTextFile(real), "timeout_seconds: 2\n");
});

const rejected: [string, string, string, RegExp][] = [
  [
    "an unknown key",
    "session.retension_days",
    "7",
    /Unknown config key "session\.retension_days".*Did you mean "session\.retention_days"/,
  ],
  ["a section", "session", "{}", /"session" is a section.*session\.retention_days/],
  [
    "a word for a number",
    "session.retention_days",
    "thirty",
    /Invalid value for "session\.retention_days": expected an integer from 0 to 36500, got "thirty"/,
  ],
  ["a bad enum value", "output.format", "xml", /expected one of text, json, stream-json/],
  ["a string for a list", "session.default_tags", "clinvk", /expected a list of strings/],
  ["malformed YAML for a list", "session.default_tags", '["a", "b"', /Cannot parse the value/],
  ["an empty value", "output.format", "", /Empty value.*clinvk config unset output\.format/],
  ["a bad env entry name", "backends.claude.env.BAD-NAME", "x", /bad variable name/],
];
for (const [what, key, rawValue, pattern] of rejected) {
  Deno.test(`setConfigValue() rejects ${what} and leaves the file byte-identical`, async () => {
    await using dir = await tempDir();
    const path = join(dir.path, "config.yaml");
    await Deno.writeTextFile(path, GUIDE_CONFIG);
    const before = await Deno.readFile(path);
    await rejectsUsage(setConfigValue({ fs: Deno, path, key, rawValue }), pattern);
    assert.deepEqual(await Deno.readFile(path), before);
    assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["config.yaml"]);
  });
}

Deno.test("setConfigValue() refuses to edit a file that is not valid YAML and leaves it alone", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  const broken = "session:\n  default_tags: [a\n";
  await Deno.writeTextFile(path, broken);
  await rejectsUsage(
    setConfigValue({ fs: Deno, path, key: "timeout_seconds", rawValue: "1" }),
    /Cannot update config .*config\.yaml:\d+:\d+: .*not changed/,
  );
  assert.equal(await Deno.readTextFile(path), broken);
});

Deno.test("setConfigValue() refuses to write through a key that is not a mapping", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, "session: 5\n");
  await rejectsUsage(
    setConfigValue({ fs: Deno, path, key: "session.retention_days", rawValue: "1" }),
    /"session" in .* is not a mapping/,
  );
  assert.equal(await Deno.readTextFile(path), "session: 5\n");
});

Deno.test("setConfigValue() fails clearly when the config path is a directory", async () => {
  await using dir = await tempDir();
  await rejectsUsage(
    setConfigValue({ fs: Deno, path: dir.path, key: "timeout_seconds", rawValue: "1" }),
    /it is a directory/,
  );
});

const parsed: [string, string, unknown][] = [
  ["session.default_tags", '["a","b"]', ["a", "b"]],
  ["session.default_tags", "[]", []],
  ["session.retention_days", "7", 7],
  ["session.store_token_usage", "false", false],
  ["output.format", "stream-json", "stream-json"],
  ["backends.claude.model", "claude-opus-4-5", "claude-opus-4-5"],
  ["backends.codex.model", "4", "4"],
  ["backends.codex.approval_mode", "true", "true"],
  ["backends.gemini.command", '"/opt/gemini cli/bin"', "/opt/gemini cli/bin"],
  ["backends.gemini.extra_args", "[--yolo, -d]", ["--yolo", "-d"]],
  ["backends.gemini.env", "{A: b}", { A: "b" }],
];
for (const [key, raw, expected] of parsed) {
  Deno.test(`parseValueForKey() reads ${raw} for ${key} as ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(parseValueForKey(key, raw), expected);
  });
}

Deno.test("unsetConfigValue() removes a key and the section it leaves empty", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, "# top\ntimeout_seconds: 5\noutput:\n  format: json\n");
  assert.deepEqual(await unsetConfigValue({ fs: Deno, path, key: "output.format" }), {
    path,
    removed: true,
  });
  assert.equal(await Deno.readTextFile(path), "# top\ntimeout_seconds: 5\n");
});

Deno.test("unsetConfigValue() can remove a mistyped key that is in the file", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  await Deno.writeTextFile(path, "session:\n  retension_days: 5\n  retention_days: 9\n");
  await unsetConfigValue({ fs: Deno, path, key: "session.retension_days" });
  assert.equal(await Deno.readTextFile(path), "session:\n  retention_days: 9\n");
});

Deno.test("unsetConfigValue() leaves the file untouched when the key is absent", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "config.yaml");
  assert.equal((await unsetConfigValue({ fs: Deno, path, key: "timeout_seconds" })).removed, false);
  await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  await rejectsUsage(unsetConfigValue({ fs: Deno, path, key: "nope.nope" }), /Unknown config key/);
});
