import assert from "node:assert/strict";
import { join } from "node:path";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { newSession, startFixture, testStore } from "./helpers.ts";
import { psProcessTable } from "../../src/platform/process_table.ts";

Deno.test("acquireLease() fails fast with exit 5 naming the process that holds it", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  await using holder = startFixture("hold_lease.ts", [t.home, record.id]);
  assert.equal(await holder.nextLine(), "leased");
  await assert.rejects(t.store.acquireLease(record.id, { wait: false }), (error) => {
    assert.ok(error instanceof ClinvkError);
    assert.equal(error.exitCode, ExitCode.Busy);
    assert.match(
      error.message,
      new RegExp(
        `^Session ${record.id} is in use by process ${holder.pid} \\(clinvk resume, since \\d{4}-`,
      ),
    );
    assert.match(error.hint ?? "", /--wait/);
    return true;
  });
});

Deno.test("acquireLease({wait}) gets the lease once the other process lets go", async () => {
  await using t = await testStore({ lockTimeoutMs: 10_000 });
  const record = await t.store.create(newSession());
  await using holder = startFixture("hold_lease.ts", [t.home, record.id]);
  assert.equal(await holder.nextLine(), "leased");
  const waiting = t.store.acquireLease(record.id, { wait: true, command: "test" });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await holder.finish();
  await using lease = await waiting;
  assert.equal(lease.sessionId, record.id);
  const written = JSON.parse(await Deno.readTextFile(join(t.dir, ".leases", record.id)));
  assert.equal(written.pid, Deno.pid);
  assert.equal(written.command, "test");
  assert.equal(written.started_at, "2025-01-27T10:00:00Z");
});

Deno.test("acquireLease({wait}) gives up with exit 5 after the timeout", async () => {
  await using t = await testStore({ lockTimeoutMs: 200 });
  const record = await t.store.create(newSession());
  await using holder = startFixture("hold_lease.ts", [t.home, record.id]);
  assert.equal(await holder.nextLine(), "leased");
  await assert.rejects(
    t.store.acquireLease(record.id, { wait: true }),
    new RegExp(
      `Timed out after 0\\.2 s waiting for session ${record.id}, in use by process ${holder.pid}`,
    ),
  );
});

Deno.test("acquireLease() excludes a second holder in the same process until release", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  const lease = await t.store.acquireLease(record.id, { wait: false, command: "first" });
  await assert.rejects(
    t.store.acquireLease(record.id, { wait: false }),
    new RegExp(`in use by process ${Deno.pid} \\(first, since`),
  );
  await lease.release();
  await lease.release(); // Releasing twice is harmless.
  await (await t.store.acquireLease(record.id, { wait: false })).release();
});

Deno.test("acquireLease() of an unknown session fails with exit 4", async () => {
  await using t = await testStore();
  await assert.rejects(t.store.acquireLease("nosuchid00", { wait: false }), { exitCode: 4 });
  await assert.rejects(t.store.acquireLease("../etc", { wait: false }), { exitCode: 2 });
});

Deno.test("delete() refuses a session in use by another process with exit 5", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  await using holder = startFixture("hold_lease.ts", [t.home, record.id]);
  assert.equal(await holder.nextLine(), "leased");
  await assert.rejects(t.store.delete(record.id), { exitCode: ExitCode.Busy });
  assert.ok(await t.store.get(record.id));
  await holder.finish();
  await t.store.delete(record.id);
  assert.equal(await t.store.get(record.id), undefined);
});

/** A process in a group of its own, standing in for a backend. */
function groupLeader(): Deno.ChildProcess {
  return new Deno.Command("sleep", {
    args: ["300"],
    detached: true,
    stdout: "null",
    stderr: "null",
  })
    .spawn();
}

async function ended(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch {
    // Ended already.
  }
  await child.status;
}

Deno.test({
  name: "a lease records its turn's backend while it runs, and release takes the record out",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using t = await testStore({ processes: psProcessTable(Deno.build.os) });
    const record = await t.store.create(newSession());
    const backend = groupLeader();
    try {
      const lease = await t.store.acquireLease(record.id, {
        wait: false,
        command: "clinvk (claude)",
      });
      lease.recordBackend(backend.pid, "turn-1");
      const path = join(t.dir, ".leases", record.id);
      let written: Record<string, unknown> = {};
      for (let i = 0; i < 200 && !written.backend; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const text = await Deno.readTextFile(path);
        if (text) written = JSON.parse(text);
      }
      const group = written.backend as Record<string, unknown>;
      assert.equal(group.pgid, backend.pid);
      assert.equal(group.marker, "turn-1");
      assert.equal(group.host, await psProcessTable(Deno.build.os).host());
      assert.equal(written.command, "clinvk (claude)", "the holder is kept beside it");
      await lease.release();
      const after = JSON.parse(await Deno.readTextFile(path));
      assert.equal(after.backend, undefined);
      assert.equal(after.command, "clinvk (claude)");
    } finally {
      await ended(backend);
    }
  },
});

Deno.test({
  name: "deleting a session stops the backend a dead holder left running in it",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const processes = psProcessTable(Deno.build.os);
    await using t = await testStore({ processes });
    const record = await t.store.create(newSession());
    const backend = groupLeader();
    try {
      const info = await processes.info(backend.pid);
      const holder = {
        pid: 999_999,
        started_at: "2025-01-27T09:00:00Z",
        backend: {
          host: await processes.host(),
          pgid: backend.pid,
          start: info!.start,
          marker: "m",
        },
      };
      await Deno.writeTextFile(join(t.dir, ".leases", record.id), JSON.stringify(holder));
      await t.store.delete(record.id);
      assert.equal((await backend.status).signal, "SIGTERM");
      assert.equal(t.warnings.length, 1);
      assert.match(
        t.warnings[0]!,
        new RegExp(
          `^Stopped the backend of session ${record.id} \\(process group ${backend.pid}\\) that process 999999`,
        ),
      );
    } finally {
      await ended(backend);
    }
  },
});
