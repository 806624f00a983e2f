import assert from "node:assert/strict";
import { checkValue } from "../../src/config/check_value.ts";
import {
  type Config,
  CONFIG_KEYS,
  configKeyPaths,
  configSectionPaths,
  defaultConfig,
  lookupKey,
} from "../../src/config/schema.ts";

Deno.test("defaultConfig() builds the documented defaults from the key table", () => {
  const expected: Config = {
    default_backend: "claude",
    backends: {
      claude: { extra_args: [], env: {} },
      codex: { extra_args: [], env: {} },
      gemini: { extra_args: [], env: {} },
    },
    session: {
      retention_days: 30,
      store_token_usage: true,
      default_tags: [],
      lock_timeout_seconds: 30,
      budget: { backend_daily_tokens: {}, backend_daily_usd: {} },
    },
    pricing: { overrides: {} },
    output: { format: "text", show_tokens: false, show_timing: false, color: "auto" },
    timeout_seconds: 0,
    server: {
      host: "127.0.0.1",
      port: 8080,
      allowed_workdirs: [],
      api_keys: {},
      cors_origins: [],
      trusted_proxies: [],
      max_body_bytes: 10 * 1024 * 1024,
      limits: { requests_per_minute: 0, concurrent_turns: 0, tokens_per_day: 0 },
      log_format: "text",
      shutdown_grace_seconds: 30,
    },
    worker: { backends: [], max_parallel: 4, allowed_roots: [], ack_wait_seconds: 30 },
  };
  assert.deepEqual(defaultConfig(), expected);
});

Deno.test("defaultConfig() returns a fresh object each call", () => {
  const first = defaultConfig();
  first.session.default_tags.push("mutated");
  first.backends.claude.env.X = "1";
  assert.deepEqual(defaultConfig().session.default_tags, []);
  assert.deepEqual(defaultConfig().backends.claude.env, {});
});

Deno.test("configKeyPaths() lists every required key once", () => {
  const paths = configKeyPaths();
  assert.equal(new Set(paths).size, paths.length);
  for (const backend of ["claude", "codex", "gemini"]) {
    for (const leaf of ["command", "model", "approval_mode", "sandbox_mode", "extra_args", "env"]) {
      assert.ok(paths.includes(`backends.${backend}.${leaf}`), `backends.${backend}.${leaf}`);
    }
  }
  for (
    const path of [
      "default_backend",
      "session.retention_days",
      "session.store_token_usage",
      "session.default_tags",
      "session.lock_timeout_seconds",
      "output.format",
      "output.show_tokens",
      "output.show_timing",
      "output.color",
      "timeout_seconds",
    ]
  ) assert.ok(paths.includes(path), path);
});

Deno.test("every key has a one-line description", () => {
  for (const spec of CONFIG_KEYS) {
    assert.ok(spec.description.length > 0 && !spec.description.includes("\n"), spec.path);
  }
});

Deno.test("lookupKey() tells leaves, sections and mapping entries apart", () => {
  assert.equal(lookupKey("session.retention_days")?.kind, "leaf");
  assert.equal(lookupKey("session")?.kind, "section");
  assert.equal(lookupKey("backends.codex")?.kind, "section");
  const entry = lookupKey("backends.claude.env.API_BASE");
  assert.equal(entry?.kind, "map_entry");
  assert.equal(entry?.kind === "map_entry" && entry.spec.path, "backends.claude.env");
  assert.equal(entry?.kind === "map_entry" && entry.entry, "API_BASE");
  assert.equal(lookupKey("session.retension_days"), undefined);
  assert.equal(lookupKey("backends.claude.model.x"), undefined);
  // Any valid backend name has the per-backend keys; custom-only ones say so.
  assert.equal(lookupKey("backends.aider.command")?.kind, "leaf");
  assert.equal(lookupKey("backends.aider.args")?.kind, "section");
  const customOnly = lookupKey("backends.claude.args.new");
  assert.equal(customOnly?.kind === "leaf" && customOnly.spec.customOnly, true);
  assert.equal(lookupKey("backends.Bad!.command"), undefined);
  assert.deepEqual(configSectionPaths().sort(), [
    "backends",
    "backends.claude",
    "backends.claude.models",
    "backends.codex",
    "backends.codex.models",
    "backends.gemini",
    "backends.gemini.models",
    "dispatch",
    "nats",
    "output",
    "pricing",
    "server",
    "server.limits",
    "session",
    "session.budget",
    "worker",
  ]);
});

Deno.test("checkValue() takes budgets and price overrides and names what is wrong", () => {
  assert.deepEqual(checkValue({ kind: "number", min: 0 }, 2.5), { ok: true, value: 2.5 });
  assert.equal(checkValue({ kind: "number", min: 0 }, -1).ok, false);
  assert.equal(checkValue({ kind: "number", min: 0 }, "5").ok, false);
  assert.deepEqual(checkValue({ kind: "number_map" }, { claude: 5 }), {
    ok: true,
    value: { claude: 5 },
  });
  assert.match(
    (checkValue({ kind: "number_map" }, { claude: "5" }) as { message: string }).message,
    /claude: expected a number ≥ 0, got "5"/,
  );
  const prices = { "my-model": { input_per_mtok: 3, output_per_mtok: 15 } };
  assert.deepEqual(checkValue({ kind: "price_map" }, prices), { ok: true, value: prices });
  assert.match(
    (checkValue({ kind: "price_map" }, { m: { input_per_mtok: 3 } }) as { message: string })
      .message,
    /m: missing output_per_mtok/,
  );
  assert.match(
    (checkValue({ kind: "price_map" }, {
      m: { input_per_mtok: 3, output_per_mtok: 1, input: 2 },
    }) as { message: string }).message,
    /m: unknown price "input"/,
  );
});
