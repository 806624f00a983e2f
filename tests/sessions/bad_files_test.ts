import assert from "node:assert/strict";
import { join } from "node:path";
import { listDir, newSession, nextTick, recordJson, testStore, writeByHand } from "./helpers.ts";

/** One bad file of every kind, by name, with the reason clinvk should give. */
const BAD: [string, string, RegExp][] = [
  ["empty00001.json", "", /file is empty/],
  ["trunc00001.json", '{"id": "trunc00001", "backend": "cla', /not valid JSON \(/],
  ["notjson001.json", "hello, world\n", /not valid JSON/],
  ["array00001.json", "[1, 2, 3]", /not a JSON object \(found an array\)/],
  [
    "missing001.json",
    JSON.stringify({ id: "missing001", backend: "claude" }),
    /missing field "status"/,
  ],
  [
    "wrongid001.json",
    JSON.stringify(recordJson("someoneelse")),
    /id "someoneelse" does not match the file name/,
  ],
  [
    "backup copy.json",
    JSON.stringify(recordJson("backup copy")),
    /file name is not a valid session id/,
  ],
  [
    "Upper00001.json",
    JSON.stringify(recordJson("Upper00001")),
    /file name is not a valid session id/,
  ],
];

async function withBadFiles(dir: string) {
  for (const [name, content] of BAD) await writeByHand(dir, name, content);
}

Deno.test("list() skips bad files of every kind and warns once per file", async () => {
  await using t = await testStore();
  const good = await t.store.create(newSession());
  await nextTick();
  await withBadFiles(t.dir);
  assert.deepEqual((await t.store.list()).map((r) => r.id), [good.id]);
  assert.deepEqual((await t.store.list({ limit: 5 })).map((r) => r.id), [good.id]);
  assert.deepEqual((await t.store.list()).map((r) => r.id), [good.id]);
  assert.equal(t.warnings.length, BAD.length, t.warnings.join("\n"));
  for (const [name, , reason] of BAD) {
    const warning = t.warnings.find((w) => w.startsWith(`Skipping ${join(t.dir, name)}: `));
    assert.ok(warning, `no warning for ${name}`);
    assert.match(warning, reason);
  }
});

Deno.test("a fresh process warns again about bad files it meets in a full list", async () => {
  await using t = await testStore();
  await withBadFiles(t.dir);
  await t.store.list();
  const warnings: string[] = [];
  const other = t.reopen({ warn: (message) => warnings.push(message) });
  await other.list();
  assert.equal(warnings.length, BAD.length);
});

Deno.test("get(), resolve() and list({limit}) treat a bad session file as missing", async () => {
  await using t = await testStore();
  await writeByHand(t.dir, "trunc00001.json", '{"id": "trunc00001"');
  await writeByHand(t.dir, "trunc00002.json", JSON.stringify(recordJson("trunc00002")));
  assert.equal(await t.store.get("trunc00001"), undefined);
  assert.equal((await t.store.resolve("trunc")).id, "trunc00002");
  assert.deepEqual((await t.store.list({ limit: 1, resumable: true })).map((r) => r.id), [
    "trunc00002",
  ]);
  assert.equal(t.warnings.filter((w) => w.includes("trunc00001.json")).length, 1);
  await assert.rejects(t.store.update("trunc00001", (r) => r), /Cannot use session trunc00001/);
});

Deno.test("list() skips a session file corrupted in place after it was indexed", async () => {
  await using t = await testStore();
  const a = await t.store.create(newSession());
  t.clock.advance(1_000);
  const b = await t.store.create(newSession());
  await nextTick();
  await Deno.writeTextFile(join(t.dir, `${b.id}.json`), "");
  assert.deepEqual((await t.store.list({ limit: 1 })).map((r) => r.id), [a.id]);
  assert.match(t.warnings.join("\n"), /file is empty/);
});

Deno.test("doctor() lists bad files without touching them", async () => {
  await using t = await testStore();
  await t.store.create(newSession());
  await withBadFiles(t.dir);
  const before = await listDir(t.dir);
  const bad = await t.store.doctor({ fix: false });
  assert.deepEqual(bad.map((b) => b.path).sort(), BAD.map(([name]) => join(t.dir, name)).sort());
  for (const [name, , reason] of BAD) {
    assert.match(bad.find((b) => b.path.endsWith(name))!.reason, reason);
  }
  assert.deepEqual(await listDir(t.dir), before);
});

Deno.test("doctor({fix}) moves bad files to .corrupt/, keeping names and content", async () => {
  await using t = await testStore();
  const good = await t.store.create(newSession());
  await withBadFiles(t.dir);
  await Deno.mkdir(join(t.dir, ".corrupt"));
  await Deno.writeTextFile(join(t.dir, ".corrupt", "empty00001.json"), "older");
  const bad = await t.store.doctor({ fix: true });
  assert.equal(bad.length, BAD.length);
  const jsonLeft = (await listDir(t.dir)).filter((n) => n.endsWith(".json"));
  assert.deepEqual(jsonLeft, [`${good.id}.json`]);
  const quarantined = await listDir(join(t.dir, ".corrupt"));
  for (const [name] of BAD) assert.ok(quarantined.includes(name), name);
  assert.ok(quarantined.includes("empty00001.1.json"), quarantined.join(" "));
  assert.equal(await Deno.readTextFile(join(t.dir, ".corrupt", "empty00001.json")), "older");
  assert.equal(
    await Deno.readTextFile(join(t.dir, ".corrupt", "notjson001.json")),
    "hello, world\n",
  );
  assert.deepEqual(await t.store.doctor({ fix: false }), []);
  assert.deepEqual((await t.store.list()).map((r) => r.id), [good.id]);
});
