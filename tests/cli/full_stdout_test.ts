/**
 * A stdout that refuses bytes (`>/dev/full`) is reported as stdout's failure, not as a full
 * disk under CLINVK_HOME (issue 9.18).
 */
import assert from "node:assert/strict";
import { clinvkArgv, withSandbox } from "../support/clinvk.ts";

Deno.test("clinvk says stdout failed when stdout is /dev/full", async () => {
  await withSandbox(async (sb) => {
    const clinvk = clinvkArgv();
    for (
      const args of [["version"], ["config", "show", "--json"], ["sessions", "list", "--json"]]
    ) {
      const output = await new Deno.Command("bash", {
        args: ["-c", 'exec "$@" > /dev/full', "bash", ...clinvk, ...args],
        env: sb.env,
        clearEnv: true,
        cwd: sb.work,
        stdin: "null",
        stdout: "null",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 1, stderr);
      assert.match(
        stderr,
        /^clinvk: Cannot write to stdout: No space left on device.*redirected\.\n$/,
      );
      assert.doesNotMatch(stderr, /disk space/);
    }
  });
});
