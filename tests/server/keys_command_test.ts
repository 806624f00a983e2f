/** `clinvk serve keys add|list|revoke`, run as a user runs them. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hashApiKey } from "../../src/server/api_keys.ts";
import { withSandbox } from "../support/clinvk.ts";

Deno.test("serve keys add prints a key once, stores its SHA-256 (comments kept); list and revoke", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    const configFile = join(sb.home, "config.yaml");
    await Deno.writeTextFile(configFile, "# my settings\ndefault_backend: codex\n");
    const added = await sb.run(["serve", "keys", "add", "laptop"]);
    assert.equal(added.code, 0, added.stderr);
    const key = added.stdout.trim();
    assert.match(key, /^clinvk_/);
    assert.match(added.stderr, /only time it is shown/);
    const text = await Deno.readTextFile(configFile);
    assert.ok(text.startsWith("# my settings\n"), text);
    assert.ok(text.includes(`laptop: ${await hashApiKey(key)}`), text);
    assert.ok(!text.includes(key), "the key itself is not stored");

    const again = await sb.run(["serve", "keys", "add", "laptop"]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^clinvk: An API key named "laptop" already exists/);

    const list = await sb.json<{ name: string; source: string; hash_prefix: string }[]>(
      ["serve", "keys", "list", "--json"],
      { env: { CLINVK_API_KEYS: "from-env" } },
    );
    assert.deepEqual(list.map((k) => [k.name, k.source]), [["laptop", "config"], [
      "env-1",
      "CLINVK_API_KEYS",
    ]]);
    assert.equal(list[0]!.hash_prefix, (await hashApiKey(key)).slice(7, 19));

    const revoked = await sb.run(["serve", "keys", "revoke", "laptop"]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.ok(!(await Deno.readTextFile(configFile)).includes("laptop"));
    const missing = await sb.run(["serve", "keys", "revoke", "laptop"]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trimEnd().split("\n").length, 1);
    const badName = await sb.run(["serve", "keys", "add", "../x"]);
    assert.equal(badName.code, 2);
  });
});
