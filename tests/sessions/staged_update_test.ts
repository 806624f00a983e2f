/**
 * `update()` writes and fsyncs its new file in `sessions/.staging/` before it takes the store
 * lock (`src/sessions/staged_update.ts`). What happens to the session file between that write
 * and the lock must never be lost or undone: here a real second process stages an update
 * while this one holds the store lock, and the session file is changed meanwhile.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import type { SessionRecord } from "../../src/sessions/record.ts";
import { stripeName, stripeOf } from "../../src/sessions/update_locks.ts";
import { newSession, settledLockWaits, startFixture, testStore } from "./helpers.ts";
import type { FixtureProcess, TestStore } from "./helpers.ts";

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stagedPath(t: TestStore, id: string): string {
  return join(t.dir, ".staging", `${stripeName(stripeOf(id))}.tmp`);
}

/**
 * Holds the store lock in another process and starts a real updater of `id` (one tag,
 * `w-0`); returns once the updater has staged its file — so it has read the session file —
 * and is waiting for the lock.
 */
async function stagedBehindLock(t: TestStore, id: string) {
  const holder = startFixture("hold_lock.ts", [join(t.dir, ".lock")]);
  assert.equal(await holder.nextLine(), "locked");
  const updater = startFixture("tag_worker.ts", [t.home, id, "w", "1"]);
  assert.equal(await updater.nextLine(), "ready");
  await updater.send("go\n");
  // Polled: the updater says nothing until it is done. A bound, not a timing assumption: the
  // updater would give up on the lock after its own 20 s.
  for (let tries = 0; !(await exists(stagedPath(t, id))); tries++) {
    assert.ok(tries < 2_000, "the updater never staged its file");
    await sleep(10);
  }
  return { holder, updater };
}

async function readRecordFile(t: TestStore, id: string): Promise<SessionRecord> {
  return JSON.parse(await Deno.readTextFile(join(t.dir, `${id}.json`)));
}

async function finishAll(...processes: FixtureProcess[]): Promise<number[]> {
  const codes: number[] = [];
  for (const process of processes) codes.push(await process.finish());
  return codes;
}

Deno.test("a staged update keeps a hand edit made between its write and the store lock", async () => {
  await using t = await testStore();
  const { id } = await t.store.create(newSession({ tags: ["original"] }));
  const { holder, updater } = await stagedBehindLock(t, id);
  let codes: number[];
  try {
    // `jq '.tags += ["by-hand"]' x.json > tmp && mv tmp x.json`, while the updater waits.
    const edited = { ...await readRecordFile(t, id) };
    edited.tags = [...edited.tags, "by-hand"];
    await Deno.writeTextFile(join(t.dir, "edit.tmp"), JSON.stringify(edited, null, 2));
    await Deno.rename(join(t.dir, "edit.tmp"), join(t.dir, `${id}.json`));
  } finally {
    codes = await finishAll(holder, updater);
  }
  assert.deepEqual(codes, [0, 0]);
  assert.deepEqual((await readRecordFile(t, id)).tags, ["original", "by-hand", "w-0"]);
  assert.deepEqual((await t.store.get(id))!.tags, ["original", "by-hand", "w-0"]);
  assert.equal(await exists(stagedPath(t, id)), false, "the dropped staged file was removed");
});

Deno.test("a staged update of a session deleted before it took the store lock does not bring it back", async () => {
  await using t = await testStore();
  const { id } = await t.store.create(newSession({ tags: ["original"] }));
  const { holder, updater } = await stagedBehindLock(t, id);
  let codes: number[];
  try {
    await Deno.remove(join(t.dir, `${id}.json`));
  } finally {
    codes = await finishAll(holder, updater);
  }
  assert.deepEqual(codes, [0, 1], "the update fails: the session is gone");
  assert.equal(await exists(join(t.dir, `${id}.json`)), false);
  assert.equal(await t.store.get(id), undefined);
  assert.equal(await exists(stagedPath(t, id)), false);
});

Deno.test("an update replaces a staged file left by a killed updater", async () => {
  await using t = await testStore();
  const { id } = await t.store.create(newSession({ tags: ["original"] }));
  await Deno.writeTextFile(stagedPath(t, id), '{"half": ');
  const updated = await t.store.update(id, (r) => ({ ...r, tags: [...r.tags, "next"] }));
  assert.deepEqual(updated.tags, ["original", "next"]);
  assert.deepEqual((await readRecordFile(t, id)).tags, ["original", "next"]);
  assert.equal(await exists(stagedPath(t, id)), false);
});

Deno.test("an update whose update lock cannot be had is made under the store lock alone", async () => {
  await using t = await testStore();
  const { id } = await t.store.create(newSession({ tags: ["original"] }));
  const lockPath = join(t.dir, ".staging", `${stripeName(stripeOf(id))}.lock`);
  // Held by another process for longer than the lock timeout (2 s here).
  const holder = startFixture("hold_lock.ts", [lockPath]);
  try {
    assert.equal(await holder.nextLine(), "locked");
    const updated = await t.store.update(id, (r) => ({ ...r, tags: [...r.tags, "held"] }));
    assert.deepEqual(updated.tags, ["original", "held"]);
  } finally {
    await holder.finish();
  }
  // Not a file at all.
  await Deno.remove(lockPath);
  await Deno.mkdir(lockPath);
  const again = await t.store.update(id, (r) => ({ ...r, tags: [...r.tags, "dir"] }));
  assert.deepEqual(again.tags, ["original", "held", "dir"]);
  assert.deepEqual((await readRecordFile(t, id)).tags, ["original", "held", "dir"]);
});

Deno.test("waiting for the update lock counts toward the store lock's timeout", async () => {
  await using t = await testStore({ lockTimeoutMs: 300 });
  const { id } = await t.store.create(newSession());
  const stripe = startFixture("hold_lock.ts", [
    join(t.dir, ".staging", `${stripeName(stripeOf(id))}.lock`),
  ]);
  const store = startFixture("hold_lock.ts", [join(t.dir, ".lock")]);
  try {
    assert.equal(await stripe.nextLine(), "locked");
    assert.equal(await store.nextLine(), "locked");
    await assert.rejects(
      t.store.update(id, (r) => ({ ...r, tags: ["never"] })),
      (error: unknown) =>
        error instanceof ClinvkError && error.exitCode === ExitCode.Busy &&
        error.message.includes(join(t.dir, ".lock")) && error.message.includes("0.3 s"),
    );
  } finally {
    await finishAll(stripe, store);
  }
  await settledLockWaits(); // The timed-out wait for the update lock ends with its holder.
  assert.deepEqual((await t.store.get(id))!.tags, []);
});

Deno.test("a staged update never renames another updater's file over its session", async () => {
  await using t = await testStore();
  const { id } = await t.store.create(newSession({ tags: ["original"] }));
  const other = await t.store.create(newSession({ tags: ["other's"] }));
  const { holder, updater } = await stagedBehindLock(t, id);
  let codes: number[];
  try {
    // `.staging/` removed and made again while the updater waits (by hand, or a store put
    // back from a copy): its lock file is a new one, so an updater of another session of the
    // same stripe may stage its own file at the same name meanwhile.
    await Deno.remove(join(t.dir, ".staging"), { recursive: true });
    await Deno.mkdir(join(t.dir, ".staging"), { mode: 0o700 });
    await Deno.copyFile(join(t.dir, `${other.id}.json`), stagedPath(t, id));
  } finally {
    codes = await finishAll(holder, updater);
  }
  assert.deepEqual(codes, [0, 0]);
  const written = await readRecordFile(t, id);
  assert.equal(written.id, id, "the session file holds its own session");
  assert.deepEqual(written.tags, ["original", "w-0"]);
  assert.deepEqual((await readRecordFile(t, other.id)).tags, ["other's"]);
  assert.equal(await exists(stagedPath(t, id)), true, "the other updater's file is left to it");
});
