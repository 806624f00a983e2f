/**
 * `--config` from a shell's process substitution keeps working now that config files must be
 * regular files (issue 9.2): the pipe `<(…)` gives is already open and cannot hang.
 */
import assert from "node:assert/strict";
import { clinvkArgv, withSandbox } from "../support/clinvk.ts";

Deno.test("clinvk reads --config <(command) and --config /dev/null", async () => {
  await withSandbox(async (sb) => {
    const clinvk = clinvkArgv();
    const script = `"$@" config get output.color --config <(printf 'output:\\n  color: never\\n')` +
      ` && "$@" config get output.color --config /dev/null`;
    const output = await new Deno.Command("bash", {
      args: ["-c", script, "bash", ...clinvk],
      env: sb.env,
      clearEnv: true,
      cwd: sb.work,
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.equal(new TextDecoder().decode(output.stdout), "never\nauto\n");
  });
});
