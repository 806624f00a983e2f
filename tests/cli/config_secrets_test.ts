/**
 * `config show` / `config get` never print a secret expanded from `${VAR}` in
 * `backends.*.env` unless asked with `--show-secrets` (issue 9.15).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withSandbox } from "../support/clinvk.ts";

Deno.test("config show and get mask ${VAR} secrets in backends.*.env unless --show-secrets", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      'backends:\n  claude:\n    env:\n      ANTHROPIC_API_KEY: "${SECRET_KEY}"\n      RETRIES: "2"\n',
    );
    const env = { SECRET_KEY: "sk-ant-very-secret" };
    for (
      const args of [
        ["config", "show"],
        ["config", "show", "--json"],
        ["config", "get", "backends"],
        ["config", "get", "backends.claude.env", "--json"],
        ["config", "get", "backends.claude.env.ANTHROPIC_API_KEY"],
      ]
    ) {
      const result = await sb.run(args, { env });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stdout.includes("sk-ant"), `${args.join(" ")} leaked:\n${result.stdout}`);
      assert.match(result.stdout, /\*{8}/, args.join(" "));
    }
    const json = await sb.json(["config", "get", "backends.claude.env", "--json"], { env });
    assert.deepEqual(json, { ANTHROPIC_API_KEY: "********", RETRIES: "2" });
    const shown = await sb.run(
      ["config", "get", "backends.claude.env.ANTHROPIC_API_KEY", "--show-secrets"],
      { env },
    );
    assert.equal(shown.stdout, "sk-ant-very-secret\n");
  });
});
