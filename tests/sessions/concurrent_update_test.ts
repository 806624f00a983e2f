import assert from "node:assert/strict";
import { newSession, startFixture, testStore } from "./helpers.ts";

Deno.test("update() keeps every tag when four processes tag one session at once", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession({ tags: ["original"] }));
  const workers = Array.from(
    { length: 4 },
    (_, n) => startFixture("tag_worker.ts", [t.home, record.id, `w${n}`, "10"]),
  );
  try {
    for (const worker of workers) assert.equal(await worker.nextLine(), "ready");
    // Release them together so their updates interleave.
    for (const worker of workers) await worker.send("go\n");
    for (const worker of workers) assert.equal(await worker.nextLine(), "done");
  } finally {
    for (const worker of workers) await worker.finish();
  }
  const tags = (await t.store.get(record.id))!.tags;
  assert.equal(tags.length, 41, tags.join(" "));
  for (let w = 0; w < 4; w++) {
    for (let n = 0; n < 10; n++) assert.ok(tags.includes(`w${w}-${n}`), `w${w}-${n}`);
  }
  assert.deepEqual((await t.store.list({ limit: 1 })).map((r) => r.tags.length), [41]);
});
