import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { SessionRecord } from "../../src/sessions/record.ts";
import { listDir, newSession, nextTick, recordJson, testStore, writeByHand } from "./helpers.ts";
import type { TestStore } from "./helpers.ts";

const ids = (records: SessionRecord[]) => records.map((r) => r.id);

async function three(t: TestStore): Promise<SessionRecord[]> {
  const made = [];
  for (let i = 0; i < 3; i++) {
    made.push(await t.store.create(newSession({ prompt: `p${i}` })));
    t.clock.advance(60_000);
  }
  await nextTick();
  return made;
}

/** Runs `change` and then sets the directory's mtime back, hiding the change from the stamp. */
async function behindTheStampsBack(dir: string, change: () => Promise<void>) {
  const before = await Deno.stat(dir);
  await change();
  await Deno.utime(dir, before.atime!, before.mtime!);
}

Deno.test("list() drops a session whose file was removed by hand", async () => {
  await using t = await testStore();
  const [a, b, c] = await three(t) as [SessionRecord, SessionRecord, SessionRecord];
  await Deno.remove(join(t.dir, `${c.id}.json`));
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [b.id]);
  assert.deepEqual(ids(await t.store.list()), [b.id, a.id]);
  await assert.rejects(t.store.resolve(c.id.slice(0, 6)), { exitCode: 4 });
});

Deno.test("list() picks up a session file added by hand", async () => {
  await using t = await testStore();
  const [a, b, c] = await three(t) as [SessionRecord, SessionRecord, SessionRecord];
  await writeByHand(
    t.dir,
    "handmade01.json",
    recordJson("handmade01", { last_used_at: "2030-01-01T00:00:00Z" }),
  );
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), ["handmade01"]);
  assert.deepEqual(ids(await t.store.list()), ["handmade01", c.id, b.id, a.id]);
  assert.equal((await t.store.resolve("handm")).id, "handmade01");
});

Deno.test("list() sees a file rewritten by hand with jq-style temp file and mv", async () => {
  await using t = await testStore();
  const [a, b, c] = await three(t) as [SessionRecord, SessionRecord, SessionRecord];
  const edited = { ...a, status: "completed", last_used_at: "2030-01-01T00:00:00Z" };
  await Deno.writeTextFile(join(t.dir, "edit.tmp"), JSON.stringify(edited));
  await Deno.rename(join(t.dir, "edit.tmp"), join(t.dir, `${a.id}.json`));
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [a.id]);
  assert.deepEqual(ids(await t.store.list({ status: "completed" })), [a.id]);
  assert.deepEqual(ids(await t.store.list()), [a.id, c.id, b.id]);
});

Deno.test("list() copes with the sessions dir moved away and a fresh one made", async () => {
  await using t = await testStore();
  const made = await three(t);
  await Deno.rename(t.dir, `${t.dir}.backup`);
  await Deno.mkdir(t.dir);
  assert.deepEqual(await t.store.list(), []);
  const fresh = await t.store.create(newSession());
  assert.deepEqual(ids(await t.store.list({ limit: 5 })), [fresh.id]);
  assert.ok((await Deno.stat(join(t.dir, ".lock"))).isFile, ".lock is recreated");
  // And moving the backup back restores the old sessions.
  await Deno.remove(t.dir, { recursive: true });
  await Deno.rename(`${t.dir}.backup`, t.dir);
  assert.deepEqual(ids(await t.store.list()), ids(made).reverse());
});

Deno.test("list() rebuilds a deleted, garbled or emptied catalog from the session files", async () => {
  await using t = await testStore();
  const made = await three(t);
  const catalog = join(t.dir, ".catalog.db");
  // A fresh store each time: a long-lived one would keep its open connection to the old file.
  await Deno.remove(catalog);
  assert.deepEqual(ids(await t.reopen().list({ limit: 3 })), ids(made).reverse());
  await Deno.writeTextFile(catalog, "garbage\n".repeat(100));
  assert.deepEqual(ids(await t.reopen().list({ limit: 3 })), ids(made).reverse());
  // Garbled under a store that has it open: the open connection finds out mid-query.
  await Deno.writeTextFile(catalog, "garbage\n".repeat(1000));
  assert.deepEqual(ids(await t.store.list({ limit: 3 })), ids(made).reverse());
  await Deno.writeTextFile(catalog, "");
  assert.deepEqual(ids(await t.reopen().list()), ids(made).reverse());
  await Deno.remove(catalog);
  assert.equal((await t.store.resolve(made[0]!.id.slice(0, 8))).id, made[0]!.id);
  assert.deepEqual(t.warnings, []);
});

Deno.test("list() notices a removal even when the directory's mtime hides it", async () => {
  await using t = await testStore();
  const [a, b, c] = await three(t) as [SessionRecord, SessionRecord, SessionRecord];
  await behindTheStampsBack(t.dir, () => Deno.remove(join(t.dir, `${c.id}.json`)));
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [b.id]);
  assert.deepEqual(ids(await t.store.list({ limit: 5 })), [b.id, a.id]);
  await assert.rejects(t.store.resolve(c.id.slice(0, 7)), { exitCode: 4 });
});

Deno.test("list() notices an in-place edit that leaves the directory alone", async () => {
  await using t = await testStore();
  const [a, b, c] = await three(t) as [SessionRecord, SessionRecord, SessionRecord];
  const path = join(t.dir, `${c.id}.json`);
  await behindTheStampsBack(t.dir, async () => {
    await Deno.writeTextFile(path, JSON.stringify({ ...c, last_used_at: "2020-01-01T00:00:00Z" }));
  });
  // The index still thinks c is newest; reading c shows otherwise, so the answer is fixed.
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [b.id]);
  assert.deepEqual(ids(await t.store.list()), [b.id, a.id, c.id]);
});

Deno.test("a crash between writing and cataloguing is healed and its temp file swept", async () => {
  await using t = await testStore();
  const made = await three(t);
  // What a crashed writer leaves: a temp file of a dead process, and the catalog marked as
  // being written (as every writer marks it before changing files).
  await writeByHand(t.dir, ".tmp-999999999-abcdef", '{"half');
  const db = new DatabaseSync(join(t.dir, ".catalog.db"));
  db.exec("UPDATE meta SET value = '1' WHERE key = 'writing'");
  db.close();
  assert.deepEqual(ids(await t.store.list({ limit: 3 })), ids(made).reverse());
  assert.deepEqual((await listDir(t.dir)).filter((n) => n.startsWith(".tmp")), []);
  const more = await t.store.create(newSession());
  assert.equal((await t.store.list({ limit: 1 }))[0]?.id, more.id);
});

Deno.test("the catalog keeps one row per session when one session is updated many times", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  for (let i = 0; i < 200; i++) {
    await t.store.update(record.id, (r) => ({ ...r, turn_count: i }));
  }
  const db = new DatabaseSync(join(t.dir, ".catalog.db"));
  const rows = db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number };
  db.close();
  assert.equal(rows.n, 1);
  assert.equal((await t.store.list({ limit: 1 }))[0]?.turn_count, 199);
});

Deno.test("a same-size in-place edit is noticed by list({limit}) when listed, else by the next full list", async () => {
  await using t = await testStore();
  const [a, b, c] = await three(t) as [SessionRecord, SessionRecord, SessionRecord];
  // An editor writing into the file: same size, same inode, the directory untouched.
  const editInPlace = async (record: SessionRecord, lastUsed: string) => {
    const path = join(t.dir, `${record.id}.json`);
    const text = await Deno.readTextFile(path);
    const edited = text.replace(
      `"last_used_at": "${record.last_used_at}"`,
      `"last_used_at": "${lastUsed}"`,
    );
    assert.notEqual(edited, text);
    assert.equal(edited.length, text.length);
    await behindTheStampsBack(t.dir, async () => {
      const file = await Deno.open(path, { write: true });
      await file.write(new TextEncoder().encode(edited));
      file.close();
    });
  };
  // The newest session made oldest: list --limit reads it, sees the change, answers right.
  await editInPlace(c, "2020-01-01T00:00:00Z");
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [b.id]);
  // An old session made newest is not among what list --limit reads: the documented limit
  // (README, "Files on disk") — the next full listing notices it, and -c follows from then on.
  await editInPlace(a, "2030-01-01T00:00:00Z");
  assert.deepEqual(ids(await t.store.list()), [a.id, b.id, c.id]);
  assert.deepEqual(ids(await t.store.list({ limit: 1 })), [a.id]);
});
