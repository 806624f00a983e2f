import assert from "node:assert/strict";
import { join } from "node:path";
import { DAY_MS } from "../../src/sessions/time.ts";
import { newSession, startFixture, testStore } from "./helpers.ts";
import type { TestStore } from "./helpers.ts";

/** Sessions last used 40, 20 and 1 days before "now" (the clock ends at 2025-03-01). */
async function aged(t: TestStore) {
  t.clock.current = new Date("2025-01-20T00:00:00Z");
  const old = await t.store.create(newSession({ prompt: "old" }));
  t.clock.current = new Date("2025-02-09T00:00:00Z");
  const middle = await t.store.create(newSession({ prompt: "middle" }));
  t.clock.current = new Date("2025-02-28T00:00:00Z");
  const recent = await t.store.create(newSession({ prompt: "recent" }));
  t.clock.current = new Date("2025-03-01T00:00:00Z");
  return { old, middle, recent };
}

Deno.test("clean({dryRun}) lists sessions unused since the cutoff and deletes nothing", async () => {
  await using t = await testStore();
  const { old, middle } = await aged(t);
  const cutoff = new Date(t.clock.now().getTime() - 10 * DAY_MS);
  const listed = await t.store.clean(cutoff, { dryRun: true });
  assert.deepEqual(listed.map((r) => r.id), [middle.id, old.id]);
  assert.equal((await t.store.list()).length, 3);
});

Deno.test("clean() deletes sessions unused since the cutoff and keeps newer ones", async () => {
  await using t = await testStore();
  const { old, middle, recent } = await aged(t);
  const removed = await t.store.clean(new Date(t.clock.now().getTime() - 30 * DAY_MS), {
    dryRun: false,
  });
  assert.deepEqual(removed.map((r) => r.id), [old.id]);
  assert.deepEqual((await t.store.list()).map((r) => r.id), [recent.id, middle.id]);
  assert.equal(await t.store.get(old.id), undefined);
});

Deno.test("clean() never deletes a session in use by another process, and says so", async () => {
  await using t = await testStore();
  const { old, middle } = await aged(t);
  await using holder = startFixture("hold_lease.ts", [t.home, old.id]);
  assert.equal(await holder.nextLine(), "leased");
  const removed = await t.store.clean(new Date(t.clock.now().getTime() - 10 * DAY_MS), {
    dryRun: false,
  });
  assert.deepEqual(removed.map((r) => r.id), [middle.id]);
  assert.ok(await t.store.get(old.id));
  assert.match(
    t.warnings.join("\n"),
    new RegExp(`Skipping session ${old.id}: in use by process ${holder.pid}`),
  );
});

Deno.test("maybeApplyRetention() cleans at most once a day", async () => {
  await using t = await testStore();
  const { old, middle, recent } = await aged(t);
  await t.store.maybeApplyRetention(30);
  assert.equal(await t.store.get(old.id), undefined);
  // Half a day later `middle` is older than 15 days, but retention ran less than a day ago.
  t.clock.advance(12 * 60 * 60 * 1000);
  await t.store.maybeApplyRetention(15);
  assert.ok(await t.store.get(middle.id), "a second run within a day does nothing");
  t.clock.advance(12 * 60 * 60 * 1000);
  await t.store.maybeApplyRetention(15);
  assert.equal(await t.store.get(middle.id), undefined);
  assert.ok(await t.store.get(recent.id));
  const stamp = await Deno.readTextFile(join(t.dir, ".retention-stamp"));
  assert.equal(stamp.trim(), "2025-03-02T00:00:00Z");
});

Deno.test("maybeApplyRetention(0) keeps everything forever", async () => {
  await using t = await testStore();
  await aged(t);
  t.clock.advance(3650 * DAY_MS);
  await t.store.maybeApplyRetention(0);
  assert.equal((await t.store.list()).length, 3);
});

Deno.test("maybeApplyRetention() skips at once, without waiting, while another process holds the lock", async () => {
  let sleeps = 0;
  await using t = await testStore({
    lockTimeoutMs: 60_000,
    sleep: (ms) => (sleeps++, new Promise((resolve) => setTimeout(resolve, ms))),
  });
  const { old } = await aged(t);
  await using holder = startFixture("hold_lock.ts", [join(t.dir, ".lock")]);
  assert.equal(await holder.nextLine(), "locked");
  sleeps = 0;
  // Due (never ran), but the lock is busy: one timeout for the create that follows, not two.
  await t.store.maybeApplyRetention(30);
  assert.equal(sleeps, 0, "it polled for the lock");
  assert.equal(await holder.finish(), 0);
  assert.ok(await t.store.get(old.id), "nothing was cleaned while skipped");
  await t.store.maybeApplyRetention(30);
  assert.equal(await t.store.get(old.id), undefined, "the next call cleans");
});
