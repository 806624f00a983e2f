import assert from "node:assert/strict";
import { join } from "node:path";
import { codexConfiguredModel } from "../../src/backends/codex/model.ts";

async function withCodexHome(config: string | undefined, fn: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir();
  try {
    if (config !== undefined) await Deno.writeTextFile(join(home, "config.toml"), config);
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const env = (home: string) => ({
  get: (name: string) => (name === "CODEX_HOME" ? home : undefined),
});

Deno.test("codexConfiguredModel() reads the top-level model of config.toml", async () => {
  await withCodexHome(
    '# mine\nmodel = "gpt-5.5"  # default\n\n[profiles.fast]\nmodel = "o4-mini"\n',
    async (home) => {
      assert.equal(await codexConfiguredModel(Deno, env(home)), "gpt-5.5");
    },
  );
});

Deno.test("codexConfiguredModel() ignores a model that belongs to a table", async () => {
  await withCodexHome('approval = "never"\n[profiles.fast]\nmodel = "o4-mini"\n', async (home) => {
    assert.equal(await codexConfiguredModel(Deno, env(home)), undefined);
  });
});

Deno.test("codexConfiguredModel() is undefined without a config file", async () => {
  await withCodexHome(undefined, async (home) => {
    assert.equal(await codexConfiguredModel(Deno, env(home)), undefined);
  });
});
