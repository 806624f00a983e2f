/**
 * `config set` under concurrency and attack (issue 9.10): parallel writers of different keys
 * all land, a writer killed before its rename leaves no temp file for ever, and neither the
 * temp file nor the lock file is ever opened through a planted link.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { setConfigValue } from "../../src/config/set.ts";
import type { Fs } from "../../src/platform/types.ts";
import { withSandbox } from "../support/clinvk.ts";
import { tempDir } from "./helpers.ts";

Deno.test("16 parallel clinvk config set of different keys all land", async () => {
  await withSandbox(async (sb) => {
    const keys = Array.from({ length: 16 }, (_, i) => `K${String(i).padStart(2, "0")}`);
    const results = await Promise.all(
      keys.map((key) => sb.run(["config", "set", `backends.claude.env.${key}`, `v-${key}`])),
    );
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^Set backends\.claude\.env\.K\d\d = /);
    }
    const env = await sb.json(["config", "get", "backends.claude.env", "--json"]);
    assert.deepEqual(env, Object.fromEntries(keys.map((key) => [key, `v-${key}`])));
    const left = [...Deno.readDirSync(sb.home)].map((entry) => entry.name).sort();
    assert.deepEqual(left, [".config.yaml.lock", "config.yaml"]);
  });
});

Deno.test("a config set killed before its rename leaves a temp file the next config set removes", async () => {
  await withSandbox(async (sb) => {
    const path = join(sb.home, "config.yaml");
    const writer = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        new URL("./fixtures/set_until_rename.ts", import.meta.url).pathname,
        path,
        "backends.claude.env.API_KEY",
        "sk-secret",
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = writer.stdout.getReader();
    const { value } = await reader.read();
    assert.equal(new TextDecoder().decode(value), "renaming\n");
    writer.kill("SIGKILL");
    await writer.status;
    await reader.cancel();
    const temps = () =>
      [...Deno.readDirSync(sb.home)].filter((entry) => entry.name.startsWith(".config.yaml.tmp-"));
    const [temp] = temps();
    assert.ok(temp, "the killed writer left its temp file");
    assert.equal((await Deno.stat(join(sb.home, temp.name))).mode! & 0o777, 0o600);

    const next = await sb.run(["config", "set", "output.color", "never"]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(temps(), [], "swept");
    assert.equal(await Deno.readTextFile(path), "output:\n  color: never\n");
  });
});

Deno.test("setConfigValue() never writes through a link planted at its temp file's name", async () => {
  await using dir = await tempDir();
  const victim = join(dir.path, "victim");
  await Deno.writeTextFile(victim, "precious\n");
  const path = join(dir.path, "config.yaml");
  let planted = 0;
  const fs: Fs = {
    ...Deno,
    async open(file, options) {
      // An attacker who guessed the name links it to the victim just before the open.
      if (String(file).includes(".tmp-") && planted++ === 0) await Deno.symlink(victim, file);
      return await Deno.open(file, options);
    },
  };
  await setConfigValue({ fs, path, key: "output.color", rawValue: "never" });
  assert.equal(planted, 2, "a second name was tried");
  assert.equal(await Deno.readTextFile(victim), "precious\n");
  assert.equal(await Deno.readTextFile(path), "output:\n  color: never\n");
});

Deno.test("clinvk config set refuses a lock file that is a planted link and leaves its target alone", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    const victim = join(sb.dir, "victim");
    await Deno.writeTextFile(victim, "precious\n");
    await Deno.symlink(victim, join(sb.home, ".config.yaml.lock"));
    const result = await sb.run(["config", "set", "output.color", "never"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^clinvk: Cannot lock config: .*\.config\.yaml\.lock is a symbolic link/,
    );
    assert.equal(await Deno.readTextFile(victim), "precious\n");
    await assert.rejects(Deno.stat(join(sb.home, "config.yaml")));
  });
});
