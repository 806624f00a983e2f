import assert from "node:assert/strict";
import { join } from "node:path";
import { syncFs } from "../../src/platform/sync_fs.ts";

Deno.test("syncFs().readDir lists what Deno.readDir lists, and fails where it fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clinvk-syncfs-" });
  try {
    for (const name of ["a.json", "b.json", ".hidden"]) {
      await Deno.writeTextFile(join(dir, name), "");
    }
    await Deno.mkdir(join(dir, "sub"));
    const names = async (entries: AsyncIterable<Deno.DirEntry>) =>
      (await Array.fromAsync(entries)).map((entry) => `${entry.name}:${entry.isFile}`).sort();
    const fs = syncFs();
    assert.deepEqual(await names(fs.readDir(dir)), await names(Deno.readDir(dir)));
    // Iterable again, each time listing anew.
    const listing = fs.readDir(dir);
    assert.equal((await Array.fromAsync(listing)).length, 4);
    await Deno.remove(join(dir, "a.json"));
    assert.equal((await Array.fromAsync(listing)).length, 3);
    // A missing directory: no error until it is iterated, then Deno's NotFound.
    const missing = fs.readDir(join(dir, "gone"));
    await assert.rejects(Array.fromAsync(missing), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
