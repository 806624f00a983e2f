import assert from "node:assert/strict";
import { join } from "node:path";
import { RENAME_ATTEMPTS, renameDelay, renameWithRetry } from "../../src/platform/rename_retry.ts";

/** An error shaped like the one Deno throws for `name` / `code`. */
function fsError(name: string, code: string): Error {
  const error = new Error(`${name} (os error)`);
  error.name = name;
  Object.assign(error, { code });
  return error;
}

/** A `rename` that fails with `error` the first `failures` times, then succeeds. */
function flakyRename(failures: number, error: Error) {
  const calls: [string, string][] = [];
  return {
    calls,
    rename(from: string | URL, to: string | URL): Promise<void> {
      calls.push([String(from), String(to)]);
      return calls.length <= failures ? Promise.reject(error) : Promise.resolve();
    },
  };
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

for (
  const [name, code] of [["PermissionDenied", "EACCES"], ["PermissionDenied", "EPERM"], [
    "Busy",
    "EBUSY",
  ]]
) {
  Deno.test(`renameWithRetry() retries ${code} on Windows until the target is free`, async () => {
    const fs = flakyRename(3, fsError(name!, code!));
    const { waits, sleep } = recordingSleep();
    await renameWithRetry(fs, "C:\\s\\.tmp-1", "C:\\s\\a.json", { os: "windows", sleep });
    assert.equal(fs.calls.length, 4);
    assert.deepEqual(waits, [renameDelay(0), renameDelay(1), renameDelay(2)]);
  });
}

Deno.test("renameWithRetry() gives up after a bounded number of attempts with the last error", async () => {
  const error = fsError("PermissionDenied", "EACCES");
  const fs = flakyRename(Infinity, error);
  const { waits, sleep } = recordingSleep();
  await assert.rejects(
    renameWithRetry(fs, "a", "b", { os: "windows", sleep }),
    (thrown) => thrown === error,
  );
  assert.equal(fs.calls.length, RENAME_ATTEMPTS);
  assert.equal(waits.length, RENAME_ATTEMPTS - 1);
  const total = waits.reduce((sum, ms) => sum + ms, 0);
  assert.ok(total >= 1000 && total <= 5000, `waited ${total} ms in all`);
  assert.ok(waits.every((ms, i) => i === 0 || ms >= waits[i - 1]!), "backoff never shrinks");
});

Deno.test("renameWithRetry() does not retry on Linux and macOS, where these errors are final", async () => {
  for (const os of ["linux", "darwin"] as const) {
    const fs = flakyRename(1, fsError("PermissionDenied", "EACCES"));
    const { waits, sleep } = recordingSleep();
    await assert.rejects(renameWithRetry(fs, "a", "b", { os, sleep }), /PermissionDenied/);
    assert.equal(fs.calls.length, 1);
    assert.deepEqual(waits, []);
  }
});

Deno.test("renameWithRetry() does not retry a missing file or a denied Deno permission", async () => {
  for (const error of [fsError("NotFound", "ENOENT"), fsError("NotCapable", "")]) {
    const fs = flakyRename(1, error);
    const { waits, sleep } = recordingSleep();
    await assert.rejects(
      renameWithRetry(fs, "a", "b", { os: "windows", sleep }),
      (e) => e === error,
    );
    assert.equal(fs.calls.length, 1);
    assert.deepEqual(waits, []);
  }
});

Deno.test("renameWithRetry() renames a real file over an existing one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "a.json"), "old");
    await Deno.writeTextFile(join(dir, ".tmp-1"), "new");
    await renameWithRetry(Deno, join(dir, ".tmp-1"), join(dir, "a.json"));
    assert.equal(await Deno.readTextFile(join(dir, "a.json")), "new");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
