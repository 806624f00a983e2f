import assert from "node:assert/strict";
import { expandConfig } from "../../src/config/expand.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { findSecrets, MASK, maskSecrets } from "../../src/config/secrets.ts";
import { fakeEnv } from "./helpers.ts";

Deno.test("maskSecrets() hides backends.*.env values taken from ${VAR}, and only those", () => {
  const raw = defaultConfig();
  raw.backends.claude.env = { API_KEY: "${KEY}", AUTH: "Bearer ${TOKEN:-x}", RETRIES: "2" };
  raw.backends.gemini.env = { UNSET: "${NOT_SET}" };
  raw.session.default_tags = ["${USER}"];
  const secrets = findSecrets(raw);
  const expanded = expandConfig(raw, fakeEnv({ KEY: "sk-1", TOKEN: "t0k", USER: "ada" }));
  const masked = maskSecrets(expanded, secrets);
  assert.deepEqual(masked.backends.claude.env, { API_KEY: MASK, AUTH: MASK, RETRIES: "2" });
  // A variable that is not set shows as empty: that is what the backend gets.
  assert.deepEqual(masked.backends.gemini.env, { UNSET: "" });
  assert.deepEqual(masked.session.default_tags, ["ada"]);
  assert.equal(expanded.backends.claude.env.API_KEY, "sk-1", "the config itself is untouched");
});
