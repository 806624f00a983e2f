/**
 * Scans of the session files on worker threads (`session_scan_threads.ts`) give exactly what
 * one thread gives — for good files, bad files of every kind, links and files that vanish
 * after the directory was listed — and fall back to this thread when a worker cannot start or
 * fails. The store's own suites also run with every scan on threads (last test).
 */
import assert from "node:assert/strict";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { denoThreads } from "../../src/platform/threads.ts";
import type { Threads } from "../../src/platform/threads.ts";
import { syncFs } from "../../src/platform/sync_fs.ts";
import { scanSessionFiles } from "../../src/sessions/session_scan.ts";
import type { SessionScan } from "../../src/sessions/session_scan.ts";
import { scanFiles } from "../../src/sessions/session_scan_threads.ts";
import type { ScanTuning, StoreContext } from "../../src/sessions/store_context.ts";
import { recordJson, SCAN_THREADS_ENV, testStore, writeByHand } from "./helpers.ts";

/** Workers whose module throws as it loads (Deno prints that error, then carries on). */
const THROWS = "throw new Error('a broken worker (expected by this test)')";
/** Workers that answer every request with a failure. */
const FAILS = "onmessage = () => postMessage({ error: 'denied' })";

/** Threads that count the workers started; with `module`, workers run that code instead. */
function countedThreads(module?: string): Threads & { started: () => number } {
  const real = denoThreads();
  let started = 0;
  return {
    cores: 2,
    start(url) {
      started++;
      if (module === undefined) return real.start(url);
      return new Worker(`data:application/javascript,${module}`, { type: "module" });
    },
    started: () => started,
  };
}

/** Just what a scan uses of a store context. */
function context(threads: Threads | undefined, scanTuning?: ScanTuning): StoreContext {
  return { fs: syncFs(), threads, scanTuning } as unknown as StoreContext;
}

/** A directory of 40 good sessions and one bad entry of each kind; returns its names. */
async function mixedDir(dir: string): Promise<string[]> {
  for (let n = 0; n < 40; n++) {
    const id = `good${String(n).padStart(6, "0")}`;
    await writeByHand(dir, `${id}.json`, recordJson(id, { tags: [`t${n % 3}`] }));
  }
  await writeByHand(dir, "empty00001.json", "");
  await writeByHand(dir, "notjson001.json", "hello\n");
  await writeByHand(dir, "Upper00001.json", recordJson("Upper00001"));
  await writeByHand(dir, "wrongid001.json", recordJson("someoneelse"));
  await Deno.writeFile(join(dir, "latin10001.json"), new Uint8Array([0x7b, 0xe9, 0x7d]));
  await Deno.mkdir(join(dir, "adirectory.json"));
  await Deno.symlink(join(dir, "good000001.json"), join(dir, "alink00001.json"));
  await Deno.symlink(join(dir, "gone.json"), join(dir, "dangling01.json"));
  await Deno.symlink(join(dir, "loop000001.json"), join(dir, "loop000001.json"));
  await Deno.symlink("/dev/zero", join(dir, "device0001.json"));
  await Deno.writeTextFile(join(dir, "huge000001.json"), " ".repeat(1024 * 1024 + 1));
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
  // Listed, then removed before the scan looks at them.
  return [...names.sort(), "vanished01.json", "vanished02.json"];
}

async function scanBothWays(
  names: string[],
  dir: string,
  read: boolean,
): Promise<{ one: SessionScan; threaded: SessionScan; started: number }> {
  const options = read ? { fts: true } : undefined;
  const one = await scanSessionFiles(syncFs(), dir + sep, names, options);
  const threads = countedThreads();
  const ctx = context(threads, { threadsFrom: 1, threadsOnly: true });
  const threaded = await scanFiles(ctx, dir + sep, names, options);
  return { one, threaded, started: threads.started() };
}

for (const read of [false, true]) {
  Deno.test(`a scan ${read ? "that reads" : "that looks"} on threads finds what one thread finds`, async () => {
    await using sb = await testStore();
    const names = await mixedDir(sb.dir);
    const { one, threaded, started } = await scanBothWays(names, sb.dir, read);
    assert.equal(started, 1);
    assert.deepEqual(threaded, one);
    // And it is right: 2 gone; 5 bad on sight (directory, links to nothing, to themselves and
    // to a device, too large); read, 5 more (empty, not JSON, not UTF-8, another's id — the
    // link's too); the invalid name is left for the caller to report; 40 rows.
    const kinds = [...one.kinds];
    assert.equal(kinds.filter((kind) => kind === 1).length, 2);
    assert.equal(one.reasons.length, read ? 10 : 5);
    assert.equal(one.rows.length, read ? 40 : 0);
    if (read) {
      const link = one.rows.find((row) => row.columns[0] === "good000001");
      assert.ok(link?.document?.includes("fix the bug"));
    }
  });
}

Deno.test("a scan of many files on threads (main thread helping) equals one on this thread", async () => {
  await using sb = await testStore();
  for (let n = 0; n < 3000; n++) {
    await writeByHand(sb.dir, `many${String(n).padStart(6, "0")}.json`, n % 500 ? "{}" : "x");
  }
  const names = (await Array.fromAsync(Deno.readDir(sb.dir))).map((entry) => entry.name);
  const one = await scanSessionFiles(syncFs(), sb.dir + sep, names, { fts: false });
  const threads = countedThreads();
  const ctx = context(threads, { threadsFrom: 2_000 });
  const threaded = await scanFiles(ctx, sb.dir + sep, names, { fts: false });
  assert.equal(threads.started(), 1, "3,000 files, from 2,000 on: a thread beside this one");
  assert.deepEqual(threaded, one);
  const few = await scanFiles(ctx, sb.dir + sep, names.slice(0, 10), { fts: false });
  assert.equal(threads.started(), 1, "10 files: none");
  assert.equal(few.kinds.length, 10);
});

Deno.test("a worker that cannot load or start leaves its slices to this thread", async () => {
  await using sb = await testStore();
  const names = await mixedDir(sb.dir);
  const one = await scanSessionFiles(syncFs(), sb.dir + sep, names, { fts: false });
  const tuning = { threadsFrom: 1, threadsOnly: true };
  for (const module of [THROWS, FAILS]) {
    const broken = countedThreads(module);
    const scan = await scanFiles(context(broken, tuning), sb.dir + sep, names, { fts: false });
    assert.deepEqual(scan, one);
    assert.equal(broken.started(), 1);
  }
  const refusing: Threads = {
    cores: 4,
    start: () => {
      throw new Error("no threads here");
    },
  };
  assert.deepEqual(
    await scanFiles(context(refusing, tuning), sb.dir + sep, names, { fts: false }),
    one,
  );
});

Deno.test("a store on threads rebuilds, lists and heals exactly like one without", async () => {
  await using sb = await testStore();
  await mixedDir(sb.dir);
  const plain = sb.reopen();
  const plainJson = await plain.listJson({});
  const plainWarnings = [...sb.warnings].sort();
  sb.warnings.length = 0;
  await Deno.remove(join(sb.dir, ".catalog.db"));
  const threads = countedThreads();
  const threaded = sb.reopen({ threads, scanTuning: { threadsFrom: 1, threadsOnly: true } });
  assert.deepEqual(await threaded.listJson({}), plainJson);
  assert.deepEqual([...sb.warnings].sort(), plainWarnings);
  assert.ok(threads.started() >= 1);
  // An in-place edit, a removal and an addition, noticed by a full listing on threads.
  const edited = recordJson("good000003", { title: "edited in place" });
  await Deno.writeTextFile(join(sb.dir, "good000003.json"), JSON.stringify(edited, null, 2));
  await Deno.remove(join(sb.dir, "good000004.json"));
  await writeByHand(sb.dir, "added00001.json", recordJson("added00001"));
  const listed = await threaded.list({});
  assert.equal(listed.find((record) => record.id === "good000003")?.title, "edited in place");
  assert.ok(!listed.some((record) => record.id === "good000004"));
  assert.ok(listed.some((record) => record.id === "added00001"));
  assert.deepEqual(await threaded.list({}), await plain.list({}));
});

Deno.test("the store's heal, bad-file and listing suites pass with every scan on threads", async () => {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const suites = ["index_heal_test.ts", "bad_files_test.ts", "list_json_test.ts", "list_test.ts"];
  const run = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--quiet",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      ...suites.map((suite) => join(here, suite)),
    ],
    env: { [SCAN_THREADS_ENV]: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, output);
  assert.match(output, /\| \d+ passed \| 0 failed/);
});
