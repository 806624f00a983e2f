/**
 * `waitForLock` (src/sessions/lock_wait.ts) waits in the kernel for a lock that a real second
 * process holds: it gets the lock as soon as the holder lets go, and a wait that timed out
 * is counted until the holder lets go — and then releases the lock it got, so nobody is kept
 * out by a wait nobody awaits any more.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { strandedLockWaits, waitForLock } from "../../src/sessions/lock_wait.ts";
import { settledLockWaits, startFixture } from "./helpers.ts";

async function lockFile(dir: string): Promise<string> {
  const path = join(dir, ".lock");
  await Deno.writeTextFile(path, "");
  return path;
}

Deno.test("waitForLock() takes a free lock at once, and a held one when its holder lets go", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clinvk-lock-wait-" });
  try {
    const path = await lockFile(dir);
    const free = await Deno.open(path, { read: true, write: true });
    assert.equal(await waitForLock(free, true, 0), true);
    free.close();
    await using holder = startFixture("hold_lock.ts", [path]);
    assert.equal(await holder.nextLine(), "locked");
    using file = await Deno.open(path, { read: true, write: true });
    assert.equal(await file.tryLock(true), false, "the holder has it");
    // Never expires (a timer this long would fire at once, unless capped): the wait can only
    // end by the holder's exit.
    const waiting = waitForLock(file, true, Infinity);
    assert.equal(await holder.finish(), 0);
    assert.equal(await waiting, true);
    assert.equal(strandedLockWaits(), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a timed-out waitForLock() is counted until the holder lets go, then drops the lock it got", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clinvk-lock-wait-" });
  try {
    const path = await lockFile(dir);
    const holder = startFixture("hold_lock.ts", [path]);
    try {
      assert.equal(await holder.nextLine(), "locked");
      const file = await Deno.open(path, { read: true, write: true });
      const started = performance.now();
      assert.equal(await waitForLock(file, true, 200), false);
      assert.ok(performance.now() - started >= 150, "it waited before giving up");
      assert.equal(strandedLockWaits(), 1);
      file.close(); // As the store lock does after a timeout.
    } finally {
      assert.equal(await holder.finish(), 0);
    }
    // The pending wait gets the lock now, and lets go of it with its closed file.
    await settledLockWaits();
    using again = await Deno.open(path, { read: true, write: true });
    assert.equal(await again.tryLock(true), true, "the lock is free again");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
