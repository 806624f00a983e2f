/**
 * `deno task clinvk` runs in the checkout that defines the task, and passes the caller's
 * directory in `INIT_CWD` (issue 8, defect 6): the session's directory, and the backend's, is
 * the caller's, as with the installed command; `-w` still wins.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { repoRoot, withSandbox } from "../support/clinvk.ts";

Deno.test("deno task clinvk records the caller's directory (INIT_CWD), not the checkout's", async () => {
  await withSandbox(async (sb) => {
    const task = async (...args: string[]) => {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "--config", join(repoRoot, "deno.json"), "clinvk", ...args],
        cwd: sb.work,
        env: sb.env,
        clearEnv: true,
        stdin: "null",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      return JSON.parse(new TextDecoder().decode(output.stdout));
    };
    const made = await task("-b", "claude", "-o", "json", "hello");
    const shown = await sb.json(["sessions", "show", made.session_id, "--json"]);
    assert.equal(shown.workdir, sb.work);
    assert.equal((await readFakeLog(sb.log)).at(-1)!.cwd, sb.work);

    const elsewhere = join(sb.dir, "elsewhere");
    await Deno.mkdir(join(elsewhere, ".git"), { recursive: true });
    const moved = await task("-b", "claude", "-w", elsewhere, "-o", "json", "there");
    const other = await sb.json(["sessions", "show", moved.session_id, "--json"]);
    assert.equal(other.workdir, elsewhere);
  });
});
