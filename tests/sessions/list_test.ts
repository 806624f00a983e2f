import assert from "node:assert/strict";
import type { SessionRecord } from "../../src/sessions/record.ts";
import type { SessionStore } from "../../src/sessions/store_types.ts";
import { countingFs, newSession, recordJson, testStore, writeByHand } from "./helpers.ts";
import type { TestStore } from "./helpers.ts";

const ids = (records: SessionRecord[]) => records.map((r) => r.id);

/** Five sessions, one minute apart, oldest first. */
async function seed(t: TestStore): Promise<SessionRecord[]> {
  const made: SessionRecord[] = [];
  const specs = [
    { backend: "claude", tags: ["x"], workdir: "/a" },
    { backend: "codex", tags: ["x", "y"], workdir: "/b" },
    { backend: "gemini", tags: ["y"], workdir: "/a" },
    { backend: "claude", tags: ["x", "y"], workdir: "/b" },
    { backend: "codex", tags: [], workdir: "/a" },
  ] as const;
  for (const spec of specs) {
    made.push(await t.store.create(newSession({ ...spec, tags: [...spec.tags] })));
    t.clock.advance(60_000);
  }
  return made;
}

async function resumable(store: SessionStore, id: string, status: SessionRecord["status"]) {
  return await store.update(id, (r) => ({ ...r, backend_session_id: `b-${id}`, status }));
}

Deno.test("list() returns every session newest last_used_at first", async () => {
  await using t = await testStore();
  const made = await seed(t);
  assert.deepEqual(ids(await t.store.list()), ids(made).reverse());
  assert.deepEqual(await t.store.list(), [...made].reverse());
});

Deno.test("list() breaks a tie in last_used_at by the later write", async () => {
  await using t = await testStore();
  const a = await t.store.create(newSession());
  const b = await t.store.create(newSession());
  assert.deepEqual(ids(await t.store.list()), [b.id, a.id]);
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [b.id]);
  await t.store.update(a.id, (r) => ({ ...r, tags: ["touched"] }));
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [a.id]);
});

Deno.test("list() filters by backend, status, workdir, resumable and every tag", async () => {
  await using t = await testStore();
  const [s0, s1, s2, s3, s4] = await seed(t) as [SessionRecord, ...SessionRecord[]];
  await resumable(t.store, s1!.id, "completed");
  await resumable(t.store, s3!.id, "active");
  await resumable(t.store, s4!.id, "expired");
  assert.deepEqual(ids(await t.store.list({ backend: "claude" })), [s3!.id, s0.id]);
  assert.deepEqual(ids(await t.store.list({ status: "completed" })), [s1!.id]);
  assert.deepEqual(ids(await t.store.list({ workdir: "/a" })), [s4!.id, s2!.id, s0.id]);
  assert.deepEqual(ids(await t.store.list({ tags: ["x", "y"] })), [s3!.id, s1!.id]);
  assert.deepEqual(ids(await t.store.list({ tags: ["y"] })), [s3!.id, s2!.id, s1!.id]);
  assert.deepEqual(ids(await t.store.list({ resumable: true })), [s3!.id, s1!.id]);
  assert.deepEqual(ids(await t.store.list({ resumable: false })), [s4!.id, s2!.id, s0.id]);
  assert.deepEqual(ids(await t.store.list({ backend: "codex", tags: ["x"] })), [s1!.id]);
});

Deno.test("list({limit}) returns the newest matching sessions, with filters", async () => {
  await using t = await testStore();
  const [s0, s1, s2, s3, s4] = await seed(t) as [SessionRecord, ...SessionRecord[]];
  assert.deepEqual(ids(await t.store.list({ limit: 2 })), [s4!.id, s3!.id]);
  assert.deepEqual(ids(await t.store.list({ limit: 10 })), ids([s4!, s3!, s2!, s1!, s0]));
  assert.deepEqual(ids(await t.store.list({ limit: 0 })), []);
  assert.deepEqual(ids(await t.store.list({ limit: 1, backend: "claude" })), [s3!.id]);
  assert.deepEqual(ids(await t.store.list({ limit: 2, workdir: "/a" })), [s4!.id, s2!.id]);
  await resumable(t.store, s0.id, "completed");
  assert.deepEqual(ids(await t.store.list({ limit: 1, resumable: true })), [s0.id]);
});

Deno.test("list({limit}) follows last_used_at, not the order sessions were written", async () => {
  await using t = await testStore();
  const [s0, , , , s4] = await seed(t) as [SessionRecord, ...SessionRecord[]];
  // An old session tagged now is written last but still old.
  await t.store.update(s0.id, (r) => ({ ...r, tags: ["late"] }));
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [s4!.id]);
  // Using it makes it the newest.
  t.clock.advance(60_000);
  await t.store.update(s0.id, (r) => ({ ...r, last_used_at: "2025-01-27T12:00:00Z" }));
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [s0.id]);
  assert.equal((await t.store.list()).at(0)?.id, s0.id);
});

Deno.test("list({limit}) reads only the files it returns, however many sessions exist", async () => {
  const counting = countingFs();
  await using t = await testStore({ fs: counting.fs });
  for (let i = 0; i < 300; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    const id = `s${String(i).padStart(5, "0")}`;
    await writeByHand(
      t.dir,
      `${id}.json`,
      recordJson(id, { last_used_at: `2025-02-${day}T00:00:${String(i % 60).padStart(2, "0")}Z` }),
    );
  }
  await writeByHand(t.dir, "q1234567.json", recordJson("q1234567"));
  await t.store.list({ limit: 1 }); // The first call builds the catalog from all files.
  counting.reset();
  const latest = await t.store.list({ limit: 3 });
  assert.equal(latest.length, 3);
  assert.equal(counting.sessionReads(), 3);
  counting.reset();
  assert.equal((await t.store.resolve("q1")).id, "q1234567");
  // The exact try finds no file "q1.json" (looked at, not read), then the one prefix match.
  assert.equal(counting.sessionReads(), 1);
  counting.reset();
  // A full listing compares every file's stamp with the catalog and reads none of them.
  assert.equal((await t.store.list()).length, 301);
  assert.equal(counting.sessionReads(), 0);
});

Deno.test("list() on a new, empty home returns nothing and creates the store", async () => {
  await using t = await testStore();
  assert.deepEqual(await t.store.list(), []);
  assert.deepEqual(await t.store.list({ limit: 1, resumable: true }), []);
  assert.ok((await Deno.stat(`${t.dir}/.lock`)).isFile);
});
