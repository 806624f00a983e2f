import assert from "node:assert/strict";
import { ClinvkError } from "../../src/errors.ts";
import { resolveSettings, type SettingFlags } from "../../src/config/resolve.ts";
import { type Config, defaultConfig } from "../../src/config/schema.ts";
import { fakeEnv } from "./helpers.ts";

/** A config with every resolvable value moved off its default. */
function customConfig(): Config {
  const config = defaultConfig();
  config.default_backend = "gemini";
  config.backends.gemini.model = "gemini-from-config";
  config.backends.codex.model = "codex-from-config";
  config.output.format = "json";
  config.timeout_seconds = 60;
  config.output.color = "always";
  return config;
}

interface Case {
  name: string;
  flags?: SettingFlags;
  env?: Record<string, string>;
  config?: Config;
  expect: Partial<ReturnType<typeof resolveSettings>>;
}

const cases: Case[] = [
  {
    name: "uses the built-in defaults when nothing is set",
    expect: {
      backend: "claude",
      model: undefined,
      outputFormat: "text",
      timeoutSeconds: 0,
      color: "auto",
      workdir: undefined,
    },
  },
  {
    name: "uses the config file over the defaults",
    config: customConfig(),
    expect: {
      backend: "gemini",
      model: "gemini-from-config",
      outputFormat: "json",
      timeoutSeconds: 60,
      color: "always",
    },
  },
  {
    name: "prefers env over the config file",
    config: customConfig(),
    env: {
      CLINVK_BACKEND: "codex",
      CLINVK_CODEX_MODEL: "codex-from-env",
      CLINVK_OUTPUT_FORMAT: "stream-json",
      CLINVK_TIMEOUT: "5",
      CLINVK_COLOR: "never",
    },
    expect: {
      backend: "codex",
      model: "codex-from-env",
      outputFormat: "stream-json",
      timeoutSeconds: 5,
      color: "never",
    },
  },
  {
    name: "prefers the flag over env when both are set",
    config: customConfig(),
    flags: {
      backend: "claude",
      model: "opus",
      outputFormat: "text",
      timeout: "7",
      color: "auto",
      workdir: "/src",
    },
    env: {
      CLINVK_BACKEND: "codex",
      CLINVK_CLAUDE_MODEL: "sonnet",
      CLINVK_MODEL: "fast",
      CLINVK_OUTPUT_FORMAT: "json",
      CLINVK_TIMEOUT: "5",
      CLINVK_COLOR: "never",
    },
    expect: {
      backend: "claude",
      model: "opus",
      outputFormat: "text",
      timeoutSeconds: 7,
      color: "auto",
      workdir: "/src",
    },
  },
  {
    name: "takes the model from the chosen backend's config, not the default backend's",
    config: customConfig(),
    flags: { backend: "codex" },
    expect: { backend: "codex", model: "codex-from-config" },
  },
  {
    name: "prefers CLINVK_<BACKEND>_MODEL over CLINVK_MODEL",
    env: { CLINVK_CLAUDE_MODEL: "opus", CLINVK_MODEL: "fast" },
    expect: { model: "opus" },
  },
  {
    name: "ignores another backend's model variable",
    env: { CLINVK_CODEX_MODEL: "gpt-5" },
    config: customConfig(),
    expect: { backend: "gemini", model: "gemini-from-config" },
  },
  {
    name: "uses CLINVK_MODEL over the config file",
    env: { CLINVK_MODEL: "fast" },
    config: customConfig(),
    expect: { model: "fast" },
  },
  {
    name: "treats empty env variables as unset",
    env: { CLINVK_BACKEND: "", CLINVK_TIMEOUT: "", CLINVK_MODEL: "" },
    config: customConfig(),
    expect: { backend: "gemini", timeoutSeconds: 60, model: "gemini-from-config" },
  },
  {
    name: "lets NO_COLOR beat the flag, CLINVK_COLOR and the config",
    flags: { color: "always" },
    env: { NO_COLOR: "1", CLINVK_COLOR: "always" },
    config: customConfig(),
    expect: { color: "never" },
  },
  {
    name: "ignores an empty NO_COLOR",
    env: { NO_COLOR: "" },
    config: customConfig(),
    expect: { color: "always" },
  },
  {
    name: "accepts a numeric timeout flag and fractions of seconds",
    flags: { timeout: 0.5 },
    expect: { timeoutSeconds: 0.5 },
  },
  {
    name: "accepts a timeout of 0 as no limit",
    flags: { timeout: "0" },
    config: customConfig(),
    expect: { timeoutSeconds: 0 },
  },
];

for (const c of cases) {
  Deno.test(`resolveSettings() ${c.name}`, () => {
    const settings = resolveSettings({
      flags: c.flags ?? {},
      env: fakeEnv(c.env),
      config: c.config ?? defaultConfig(),
    });
    for (const [key, value] of Object.entries(c.expect)) {
      assert.deepEqual(settings[key as keyof typeof settings], value, key);
    }
  });
}

Deno.test("resolveSettings() reports where each value came from", () => {
  const config = defaultConfig();
  config.output.format = "json";
  const settings = resolveSettings({
    flags: { backend: "codex" },
    env: fakeEnv({ CLINVK_TIMEOUT: "3" }),
    config,
  });
  assert.deepEqual(settings.sources, {
    backend: "flag",
    model: "default",
    outputFormat: "config",
    timeoutSeconds: "env",
    color: "default",
  });
});

Deno.test("resolveSettings() hands over the chosen backend's config section", () => {
  const config = defaultConfig();
  config.backends.codex.extra_args = ["--search"];
  const settings = resolveSettings({ flags: { backend: "codex" }, env: fakeEnv(), config });
  assert.deepEqual(settings.backendConfig.extra_args, ["--search"]);
});

const errors: {
  name: string;
  flags?: SettingFlags;
  env?: Record<string, string>;
  pattern: RegExp;
  hint?: RegExp;
}[] = [
  {
    name: "an unknown backend flag, listing the known backends",
    flags: { backend: "copilot" },
    pattern: /^Unknown backend "copilot" \(from --backend\)$/,
    hint: /claude, codex, gemini/,
  },
  {
    name: "an unknown CLINVK_BACKEND, naming the variable",
    env: { CLINVK_BACKEND: "Claude" },
    pattern: /Unknown backend "Claude" \(from CLINVK_BACKEND\)/,
    hint: /claude, codex, gemini/,
  },
  {
    name: "a bad CLINVK_OUTPUT_FORMAT, naming the variable",
    env: { CLINVK_OUTPUT_FORMAT: "yaml" },
    pattern: /Unknown output format "yaml" \(from CLINVK_OUTPUT_FORMAT\)/,
    hint: /text, json, stream-json/,
  },
  {
    name: "a bad output format flag",
    flags: { outputFormat: "xml" },
    pattern: /from --output-format/,
  },
  {
    name: "a bad CLINVK_TIMEOUT, naming the variable",
    env: { CLINVK_TIMEOUT: "soon" },
    pattern: /Bad timeout "soon" \(from CLINVK_TIMEOUT\)/,
  },
  { name: "a negative timeout flag", flags: { timeout: "-1" }, pattern: /from --timeout/ },
  { name: "a timeout with a unit", flags: { timeout: "30s" }, pattern: /Bad timeout "30s"/ },
  { name: "a timeout too large for timers", flags: { timeout: 1e10 }, pattern: /Bad timeout/ },
  {
    name: "a bad CLINVK_COLOR, naming the variable",
    env: { CLINVK_COLOR: "yes" },
    pattern: /Unknown colour mode "yes" \(from CLINVK_COLOR\)/,
  },
  { name: "an empty model flag", flags: { model: "" }, pattern: /Empty value for --model/ },
  { name: "an empty workdir flag", flags: { workdir: "" }, pattern: /Empty value for --workdir/ },
];

for (const e of errors) {
  Deno.test(`resolveSettings() fails with exit 2 on ${e.name}`, () => {
    assert.throws(
      () => resolveSettings({ flags: e.flags ?? {}, env: fakeEnv(e.env), config: defaultConfig() }),
      (error) => {
        assert.ok(error instanceof ClinvkError);
        assert.equal(error.exitCode, 2);
        assert.match(error.message, e.pattern);
        if (e.hint) assert.match(error.hint ?? "", e.hint);
        return true;
      },
    );
  });
}
