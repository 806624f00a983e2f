import assert from "node:assert/strict";
import { join } from "node:path";
import { SCHEMA_VERSION } from "../../src/sessions/record.ts";
import { listDir, newSession, testStore } from "./helpers.ts";

Deno.test("create() writes a pretty-printed record with defaults and second-precision times", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession({ tags: ["a", "a", "b"], title: "Auth" }));
  assert.match(record.id, /^[a-z0-9]{10}$/);
  assert.equal(record.status, "created");
  assert.equal(record.created_at, "2025-01-27T10:00:00Z");
  assert.equal(record.last_used_at, "2025-01-27T10:00:00Z");
  assert.deepEqual(record.token_usage, { input: 0, output: 0, cached: 0, total: 0 });
  assert.deepEqual(record.tags, ["a", "b"]);
  assert.equal(record.turn_count, 0);
  assert.equal(record.schema_version, SCHEMA_VERSION);
  const text = await Deno.readTextFile(join(t.dir, `${record.id}.json`));
  assert.equal(text, JSON.stringify(record, null, 2) + "\n");
  assert.deepEqual(await t.store.get(record.id), record);
});

Deno.test("create() truncates a prompt over 500 characters and says so", async () => {
  await using t = await testStore();
  const long = await t.store.create(newSession({ prompt: "x".repeat(501) }));
  assert.equal(long.prompt.length, 500);
  assert.equal(long.prompt_truncated, true);
  const short = await t.store.create(newSession({ prompt: "y".repeat(500) }));
  assert.equal(short.prompt.length, 500);
  assert.equal(short.prompt_truncated, undefined);
});

Deno.test("create() draws again when the id is taken", async () => {
  const ids = ["aaaaaaaaaa", "aaaaaaaaaa", "bbbbbbbbbb"];
  await using t = await testStore({ newId: () => ids.shift()! });
  assert.equal((await t.store.create(newSession())).id, "aaaaaaaaaa");
  assert.equal((await t.store.create(newSession())).id, "bbbbbbbbbb");
});

Deno.test("create() leaves only session files ending in .json, and no temp files", async () => {
  await using t = await testStore();
  const a = await t.store.create(newSession());
  const b = await t.store.create(newSession());
  await t.store.update(a.id, (r) => ({ ...r, tags: ["x"] }));
  await t.store.maybeApplyRetention(30);
  const names = await listDir(t.dir);
  assert.deepEqual(
    names.filter((n) => n.endsWith(".json")),
    [`${a.id}.json`, `${b.id}.json`].sort(),
  );
  assert.ok(names.every((n) => n.endsWith(".json") || n.startsWith(".")), names.join(" "));
  assert.ok(!names.some((n) => n.startsWith(".tmp-")), names.join(" "));
});

Deno.test({
  name: "create() makes the home and sessions dirs 0700 and session files 0600",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using t = await testStore();
    const record = await t.store.create(newSession());
    assert.equal((await Deno.stat(t.home)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(t.dir)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(join(t.dir, `${record.id}.json`))).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(join(t.dir, ".catalog.db"))).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(join(t.dir, ".catalog.db-journal"))).mode! & 0o777, 0o600);
  },
});

Deno.test("update() rewrites the file atomically and keeps the store's other files", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  const updated = await t.store.update(
    record.id,
    (r) => ({ ...r, status: "completed", turn_count: 1 }),
  );
  assert.equal(updated.status, "completed");
  assert.deepEqual(await t.store.get(record.id), updated);
  assert.ok(!(await listDir(t.dir)).some((n) => n.startsWith(".tmp-")));
});

Deno.test("update() and delete() of a missing session fail with exit 4", async () => {
  await using t = await testStore();
  await assert.rejects(t.store.update("nosuchid00", (r) => r), { exitCode: 4 });
  await assert.rejects(t.store.delete("nosuchid00"), { exitCode: 4 });
});

Deno.test("delete() removes the session file and its lease file", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  const lease = await t.store.acquireLease(record.id, { wait: false });
  await lease.release();
  await t.store.delete(record.id);
  assert.equal(await t.store.get(record.id), undefined);
  assert.deepEqual(await listDir(join(t.dir, ".leases")), []);
  assert.deepEqual(await t.store.list(), []);
});
