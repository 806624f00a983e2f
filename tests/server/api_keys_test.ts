import assert from "node:assert/strict";
import { ClinvkError } from "../../src/errors.ts";
import {
  generateApiKey,
  hashApiKey,
  KEY_PREFIX,
  knownKeys,
  verifyApiKey,
} from "../../src/server/api_keys.ts";

Deno.test("generateApiKey() makes distinct prefixed keys with 256 random bits", () => {
  const keys = new Set(Array.from({ length: 50 }, generateApiKey));
  assert.equal(keys.size, 50);
  for (const key of keys) assert.match(key, new RegExp(`^${KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
});

Deno.test("hashApiKey() is SHA-256 in hex", async () => {
  assert.equal(
    await hashApiKey("abc"),
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("verifyApiKey() finds the key whose hash matches, from config or CLINVK_API_KEYS", async () => {
  const keys = await knownKeys(
    { laptop: await hashApiKey("one"), ci: await hashApiKey("two") },
    ` three ,${await hashApiKey("four")}`,
  );
  assert.deepEqual(keys.map((k) => [k.name, k.source]), [
    ["laptop", "config"],
    ["ci", "config"],
    ["env-1", "env"],
    ["env-2", "env"],
  ]);
  assert.equal((await verifyApiKey(keys, "two"))?.name, "ci");
  assert.equal((await verifyApiKey(keys, "three"))?.name, "env-1");
  assert.equal((await verifyApiKey(keys, "four"))?.name, "env-2");
  assert.equal(await verifyApiKey(keys, "five"), undefined);
  assert.equal(await verifyApiKey(keys, ""), undefined);
});

Deno.test("knownKeys() refuses an entry that is not a SHA-256, instead of ignoring it", async () => {
  for (const [name, value] of [["laptop", "plain-key"], ["bad name", await hashApiKey("x")]]) {
    await assert.rejects(
      knownKeys({ [name!]: value! }, undefined),
      (error: unknown) => error instanceof ClinvkError && error.exitCode === 2,
    );
  }
  await assert.rejects(knownKeys({}, "sha256:1234"), ClinvkError);
});
