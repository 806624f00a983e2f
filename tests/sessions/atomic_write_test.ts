import assert from "node:assert/strict";
import { join } from "node:path";
import type { Fs } from "../../src/platform/types.ts";
import { writeFileAtomic } from "../../src/sessions/atomic_write.ts";
import { listDir, newSession, testStore } from "./helpers.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** `Deno`, except that writes to files opened with `createNew` fail like a full disk. */
const fullDisk: Fs = {
  ...Deno,
  async open(path, options) {
    const file = await Deno.open(path, options);
    if (!options?.createNew) return file;
    return Object.assign(Object.create(file), {
      write: () => Promise.reject(new Error("No space left on device (os error 28)")),
      close: () => file.close(),
    });
  },
};

Deno.test("writeFileAtomic() replaces the file and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "a.json"), "old");
    const written = await writeFileAtomic(Deno, dir, "a.json", bytes("new\n"), 4242);
    assert.equal(await Deno.readTextFile(join(dir, "a.json")), "new\n");
    assert.equal(written.size, 4);
    assert.equal(written.mtime, (await Deno.stat(join(dir, "a.json"))).mtime!.getTime());
    assert.deepEqual(await listDir(dir), ["a.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() keeps the old file and removes its temp file when writing fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "a.json"), "old");
    await assert.rejects(
      writeFileAtomic(fullDisk, dir, "a.json", bytes("new"), 4242),
      /No space left/,
    );
    assert.equal(await Deno.readTextFile(join(dir, "a.json")), "old");
    assert.deepEqual(await listDir(dir), ["a.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("update() that fails on a full disk leaves the session as it was", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession({ tags: ["kept"] }));
  const broken = t.reopen({ fs: fullDisk });
  await assert.rejects(broken.update(record.id, (r) => ({ ...r, tags: [] })), /No space left/);
  assert.deepEqual(await t.store.get(record.id), record);
  assert.ok(!(await listDir(t.dir)).some((name) => name.startsWith(".tmp-")));
  assert.deepEqual((await t.store.list({ limit: 1 })).map((r) => r.tags), [["kept"]]);
});
