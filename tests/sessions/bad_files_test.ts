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

/**
 * Entries that are not regular files (issue 9.1, 9.17): each must be reported and skipped by
 * every command, never opened (a FIFO blocks a reader for ever, a device never ends).
 */
const SPECIAL: [string, (path: string) => Promise<void>, RegExp][] = [
  ["fifo000001.json", (path) => mkfifo(path), /a FIFO \(named pipe\), not a session file/],
  ["device0001.json", (path) => Deno.symlink("/dev/zero", path), /a device, not a session file/],
  ["loop000001.json", (path) => Deno.symlink(path, path), /a symbolic link loop/],
  [
    "notdir0001.json",
    (path) => Deno.symlink("/etc/passwd/x", path),
    /a symbolic link through a non-directory/,
  ],
  [
    "dangling01.json",
    (path) => Deno.symlink(`${path}.gone`, path),
    /a symbolic link to a file that does not exist/,
  ],
  ["adirectory.json", (path) => Deno.mkdir(path), /a directory, not a session file/],
];

async function mkfifo(path: string): Promise<void> {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  if (!made.success) throw new Error(`mkfifo ${path} failed`);
}

/** Every bad kind, by name: wrong content and wrong file types. */
const ALL_BAD = [
  ...BAD.map(([name, , reason]) => [name, reason] as const),
  ...SPECIAL.map(
    ([name, , reason]) => [name, reason] as const,
  ),
];

async function withBadFiles(dir: string) {
  for (const [name, content] of BAD) await writeByHand(dir, name, content);
  for (const [name, make] of SPECIAL) await make(join(dir, name));
}

Deno.test("list() skips bad files of every kind and warns once per file", async () => {
  await using t = await testStore();
  const good = await t.store.create(newSession());
  await nextTick();
  await withBadFiles(t.dir);
  assert.deepEqual((await t.store.list()).map((r) => r.id), [good.id]);
  assert.deepEqual((await t.store.list({ limit: 5 })).map((r) => r.id), [good.id]);
  assert.deepEqual((await t.store.list()).map((r) => r.id), [good.id]);
  assert.equal(t.warnings.length, ALL_BAD.length, t.warnings.join("\n"));
  for (const [name, reason] of ALL_BAD) {
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
  assert.equal(warnings.length, ALL_BAD.length);
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
  assert.deepEqual(
    bad.map((b) => b.path).sort(),
    ALL_BAD.map(([name]) => join(t.dir, name)).sort(),
  );
  for (const [name, reason] of ALL_BAD) {
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
  assert.equal(bad.length, ALL_BAD.length);
  const jsonLeft = (await listDir(t.dir)).filter((n) => n.endsWith(".json"));
  assert.deepEqual(jsonLeft, [`${good.id}.json`]);
  const quarantined = await listDir(join(t.dir, ".corrupt"));
  for (const [name] of ALL_BAD) assert.ok(quarantined.includes(name), name);
  // Moved as they are: the link is still a link, the FIFO still a FIFO.
  assert.ok((await Deno.lstat(join(t.dir, ".corrupt", "loop000001.json"))).isSymlink);
  assert.ok((await Deno.lstat(join(t.dir, ".corrupt", "fifo000001.json"))).isFifo);
  assert.ok(quarantined.includes("empty00001.1.json"), quarantined.join(" "));
  assert.equal(await Deno.readTextFile(join(t.dir, ".corrupt", "empty00001.json")), "older");
  assert.equal(
    await Deno.readTextFile(join(t.dir, ".corrupt", "notjson001.json")),
    "hello, world\n",
  );
  assert.deepEqual(await t.store.doctor({ fix: false }), []);
  assert.deepEqual((await t.store.list()).map((r) => r.id), [good.id]);
});

Deno.test("get(), resolve(), update() and acquireLease() of a FIFO or a looping link fail at once with exit 4", async () => {
  await using t = await testStore();
  await t.store.create(newSession());
  await withBadFiles(t.dir);
  for (const [name, , reason] of SPECIAL) {
    const id = name.slice(0, -".json".length);
    assert.equal(await t.store.get(id), undefined);
    await assert.rejects(t.store.resolve(id), (error: Error & { exitCode?: number }) => {
      assert.equal(error.exitCode, 4);
      assert.match(error.message, reason);
      return true;
    });
    await assert.rejects(t.store.update(id, (r) => r), { exitCode: 4 });
  }
  assert.equal((await t.store.list({ limit: 10 })).length, 1);
});

Deno.test("a session file over 1 MiB is reported as too large, never read", async () => {
  await using t = await testStore();
  const huge = { ...recordJson("huge000001"), prompt: "x".repeat(1024 * 1024) };
  await writeByHand(t.dir, "huge000001.json", huge);
  assert.deepEqual(await t.store.list(), []);
  assert.match(t.warnings.join("\n"), /huge000001\.json: too large \(\d+ bytes/);
  await assert.rejects(t.store.resolve("huge000001"), /too large/);
});
