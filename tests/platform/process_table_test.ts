/** The `ps`-backed process table against real processes of this machine. */
import assert from "node:assert/strict";
import { parseInfoLine, psProcessTable } from "../../src/platform/process_table.ts";

const posix = Deno.build.os !== "windows";

Deno.test("parseInfoLine reads group and start; a zombie or a stray line is no process", () => {
  assert.deepEqual(parseInfoLine(" 4242 S+   Tue Dec  1 18:16:12 2026\n"), {
    pgid: 4242,
    start: "Tue Dec 1 18:16:12 2026",
  });
  assert.equal(parseInfoLine("4242 Z    Tue Dec  1 18:16:12 2026"), undefined);
  assert.equal(parseInfoLine(""), undefined);
  assert.equal(parseInfoLine("PGID STAT STARTED"), undefined);
});

Deno.test({
  name: "the table sees a process group, its start, its environment, and its end",
  ignore: !posix,
  fn: async () => {
    const processes = psProcessTable(Deno.build.os);
    const child = new Deno.Command("sleep", {
      args: ["300"],
      detached: true,
      env: { CLINVK_TURN: "t-1" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const info = await processes.info(child.pid);
      assert.equal(info?.pgid, child.pid, "a group of its own");
      assert.match(info!.start, /^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}$/);
      assert.deepEqual(await processes.groupMembers(child.pid), [child.pid]);
      assert.equal(await processes.startedWithEnv(child.pid, "CLINVK_TURN=t-1"), true);
      assert.equal(await processes.startedWithEnv(child.pid, "CLINVK_TURN=t-2"), false);
      assert.ok(await processes.host());
      processes.signalGroup(child.pid, "SIGTERM");
      assert.equal((await child.status).signal, "SIGTERM");
      assert.equal(await processes.info(child.pid), undefined);
      assert.deepEqual(await processes.groupMembers(child.pid), []);
      processes.signalGroup(child.pid, "SIGKILL"); // gone: nothing happens, nothing throws
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // Ended already.
      }
      await child.status;
    }
  },
});
