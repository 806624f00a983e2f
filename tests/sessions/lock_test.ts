import assert from "node:assert/strict";
import { join } from "node:path";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { newSession, settledLockWaits, startFixture, testStore } from "./helpers.ts";

Deno.test("create() times out with exit 5 naming .lock while another process holds it", async () => {
  await using t = await testStore({ lockTimeoutMs: 300 });
  await t.store.create(newSession());
  await using holder = startFixture("hold_lock.ts", [join(t.dir, ".lock")]);
  assert.equal(await holder.nextLine(), "locked");
  const started = performance.now();
  await assert.rejects(t.store.create(newSession()), (error) => {
    assert.ok(error instanceof ClinvkError);
    assert.equal(error.exitCode, ExitCode.Busy);
    assert.match(error.message, /Timed out after 0\.3 s waiting for the session store lock/);
    assert.ok(error.message.includes(join(t.dir, ".lock")), error.message);
    assert.ok(error.hint);
    return true;
  });
  assert.ok(performance.now() - started >= 250, "it waited before giving up");
  await assert.rejects(t.store.list(), { exitCode: ExitCode.Busy });
  assert.equal(await holder.finish(), 0);
  await t.store.create(newSession());
  assert.equal((await t.store.list()).length, 2);
});

Deno.test("create() waits for a lock that is released within the timeout", async () => {
  await using t = await testStore({ lockTimeoutMs: 10_000 });
  await t.store.create(newSession());
  await using holder = startFixture("hold_lock.ts", [join(t.dir, ".lock")]);
  assert.equal(await holder.nextLine(), "locked");
  const creating = t.store.create(newSession());
  await new Promise((resolve) => setTimeout(resolve, 200));
  await holder.finish();
  await creating;
  assert.equal((await t.store.list()).length, 2);
});

Deno.test("readers share the lock; a writer waits for them", async () => {
  await using t = await testStore({ lockTimeoutMs: 300 });
  const record = await t.store.create(newSession());
  const reader = startFixture("hold_lock.ts", [join(t.dir, ".lock"), "shared"]);
  try {
    assert.equal(await reader.nextLine(), "locked");
    assert.deepEqual((await t.store.list({ limit: 1 })).map((r) => r.id), [record.id]);
    await assert.rejects(t.store.update(record.id, (r) => r), { exitCode: ExitCode.Busy });
  } finally {
    assert.equal(await reader.finish(), 0);
  }
  // The timed-out wait ends once the reader is gone (`lock_wait.ts`); not left to the sanitizer.
  await settledLockWaits();
});

Deno.test("the store recreates a .lock removed by hand and never deletes it", async () => {
  await using t = await testStore();
  await t.store.create(newSession());
  await Deno.remove(join(t.dir, ".lock"));
  await t.store.create(newSession());
  await t.store.delete((await t.store.list({ limit: 1 }))[0]!.id);
  await t.store.doctor({ fix: true });
  assert.ok((await Deno.stat(join(t.dir, ".lock"))).isFile);
});

Deno.test("a .lock that is a directory gives a clear error naming it", async () => {
  await using t = await testStore();
  await Deno.mkdir(join(t.dir, ".lock"), { recursive: true });
  await assert.rejects(t.store.list(), (error) => {
    assert.ok(error instanceof ClinvkError);
    assert.equal(error.exitCode, ExitCode.Usage);
    assert.equal(
      error.message,
      `Broken session store: ${join(t.dir, ".lock")} is a directory, not a file`,
    );
    return true;
  });
});

Deno.test("concurrent create() and update() calls in one process lose nothing", async () => {
  await using t = await testStore();
  const made = await Promise.all(Array.from({ length: 20 }, () => t.store.create(newSession())));
  assert.equal(new Set(made.map((r) => r.id)).size, 20);
  const target = made[0]!.id;
  await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => t.store.update(target, (r) => ({ ...r, tags: [...r.tags, `t${i}`] })),
    ),
  );
  assert.equal((await t.store.get(target))!.tags.length, 20);
  assert.equal((await t.store.list()).length, 20);
});
