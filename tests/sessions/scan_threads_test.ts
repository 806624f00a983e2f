/**
 * Scans of the session files on worker threads (`session_scan_threads.ts`) give exactly what
 * one thread gives — for good files, bad files of every kind, links and files that vanish
 * after the directory was listed — and fall back to this thread when a worker cannot start or
 * fails. The store's own suites also run with every scan on threads (last test).
 */
import assert from "node:assert/strict";
import { join, sep } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { denoThreads } from "../../src/platform/threads.ts";
import type { Threads } from "../../src/platform/threads.ts";
import { syncFs } from "../../src/platform/sync_fs.ts";
import { scanSessionFiles } from "../../src/sessions/session_scan.ts";
import type { SessionScan } from "../../src/sessions/session_scan.ts";
import {
  scanDirectory,
  scanFiles,
  workersUsable,
} from "../../src/sessions/session_scan_threads.ts";
import { listSessionDir } from "../../src/sessions/session_scan.ts";
import type { ScanTuning, StoreContext } from "../../src/sessions/store_context.ts";
import { recordJson, SCAN_THREADS_ENV, testStore, writeByHand } from "./helpers.ts";

/** Workers whose module throws as it loads (Deno prints that error, then carries on). */
const THROWS = "throw new Error('a broken worker (expected by this test)')";
/** Workers that answer every request with a failure. */
const FAILS = "onmessage = () => postMessage({ error: 'denied' })";

/** Workers that take the request and never answer. */
const SILENT = "onmessage = () => {}";
/** Workers that end themselves on the request, without a word. */
const CLOSES = "onmessage = () => close()";
/** Workers whose module never finishes loading. */
const NEVER_LOADS = "await new Promise(() => {})";
/** Workers that claim a slice, then never answer. */
const CLAIMS_AND_HANGS = "onmessage = ({ data }) => { Atomics.add(data.claims, 0, 1); }";

/** This thread's file calls, counted: they show which slices the workers did not do. */
function countingFs(): { fs: StoreContext["fs"]; calls: () => number } {
  let calls = 0;
  const fs = new Proxy(syncFs(), {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { fs, calls: () => calls };
}

/** `work`, or a failure if it has not settled within 30 s (a scan that waits for ever). */
async function withinLimit<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after 30 s`)), 30_000);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Threads that count the workers started; with `module`, workers run that code instead. */
function countedThreads(module?: string): Threads & { started: () => number } {
  const real = denoThreads();
  let started = 0;
  return {
    cores: 2,
    start(url) {
      started++;
      if (module === undefined) return real.start(url);
      const code = encodeURIComponent(module);
      return new Worker(`data:application/javascript,${code}`, { type: "module" });
    },
    started: () => started,
  };
}

/** Just what a scan uses of a store context. */
function context(
  threads: Threads | undefined,
  scanTuning?: ScanTuning,
  fs: StoreContext["fs"] = syncFs(),
): StoreContext {
  return { fs, threads, scanTuning } as unknown as StoreContext;
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
): Promise<{ one: SessionScan; threaded: SessionScan; started: number; here: number }> {
  const options = read ? { fts: true } : undefined;
  const one = await scanSessionFiles(syncFs(), dir + sep, names, options);
  const threads = countedThreads();
  const here = countingFs();
  // Waiting long for the worker, so that a slow start on a busy machine is not taken for a
  // stuck worker (whose slices this thread would redo).
  const tuning = { threadsFrom: 1, threadsOnly: true, workerWaitMs: 20_000 };
  const threaded = await scanFiles(context(threads, tuning, here.fs), dir + sep, names, options);
  return { one, threaded, started: threads.started(), here: here.calls() };
}

for (const read of [false, true]) {
  Deno.test(`a scan ${read ? "that reads" : "that looks"} on threads finds what one thread finds`, async () => {
    await using sb = await testStore();
    const names = await mixedDir(sb.dir);
    const { one, threaded, started, here } = await scanBothWays(names, sb.dir, read);
    assert.equal(started, 1);
    assert.deepEqual(threaded, one);
    assert.equal(here, 0, "the worker did every slice (this thread none)");
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

Deno.test("a scan does not wait for a worker that never answers, closes or never loads", async () => {
  await using sb = await testStore();
  const names = await mixedDir(sb.dir);
  const one = await scanSessionFiles(syncFs(), sb.dir + sep, names, { fts: false });
  for (const module of [SILENT, CLOSES, NEVER_LOADS, CLAIMS_AND_HANGS]) {
    // This thread helping (it takes every slice the worker did not claim, then waits briefly
    // only for those the worker claimed), and leaving them all to the worker.
    for (const threadsOnly of [false, true]) {
      const threads = countedThreads(module);
      const ctx = context(threads, { threadsFrom: 1, threadsOnly, workerWaitMs: 50 });
      const scan = await withinLimit(scanFiles(ctx, sb.dir + sep, names, { fts: false }), module);
      assert.deepEqual(scan, one, module);
      assert.equal(threads.started(), 1);
    }
  }
});

Deno.test("a rebuild completes, and equals one without threads, when the workers never answer", async () => {
  await using sb = await testStore();
  await mixedDir(sb.dir);
  const plainJson = await sb.reopen().listJson({});
  for (const module of [SILENT, CLAIMS_AND_HANGS]) {
    await Deno.remove(join(sb.dir, ".catalog.db"));
    const threads = countedThreads(module);
    const stuck = sb.reopen({ threads, scanTuning: { threadsFrom: 1, workerWaitMs: 50 } });
    assert.deepEqual(await withinLimit(stuck.listJson({}), module), plainJson);
    assert.ok(threads.started() >= 1);
  }
});

Deno.test("workers started early for a large expected count are stopped if the listing is small", async () => {
  await using sb = await testStore();
  const names = await mixedDir(sb.dir);
  const threads = countedThreads();
  const here = countingFs();
  const ctx = context(threads, { threadsFrom: 1_000, threadsOnly: true }, here.fs);
  let listing = 0;
  const { listed, scan } = await scanDirectory(ctx, sb.dir + sep, {
    expected: 100_000,
    list: async () => {
      const listed = await listSessionDir(here.fs, sb.dir + sep);
      listing = here.calls();
      return listed;
    },
    beside: () => undefined,
  });
  assert.equal(threads.started(), 1, "started before the listing, for 100,000 expected");
  assert.equal(scan.kinds.length, listed.names.length);
  assert.equal(listed.names.length, names.length - 2);
  // Scanned here after the listing, not by the worker (which threadsOnly would leave them to).
  assert.ok(here.calls() > listing, "this thread scanned the files");
});

Deno.test("threads are used only when the worker module is a local file", () => {
  assert.ok(workersUsable(new URL("file:///opt/clinvk/src/sessions/session_scan_worker.ts")));
  assert.ok(!workersUsable(new URL("https://jsr.io/@clinvk/cli/1.0.0/src/sessions/x.ts")));
});

Deno.test("a rebuild numbers tied sessions by creation, then id, whatever the listing order", async () => {
  await using sb = await testStore();
  const ids: string[] = [];
  for (let n = 0; n < 60; n++) {
    // Ids whose order differs from the directory's (hash) order; all used at the same time.
    const id = `t${String((n * 37) % 60).padStart(3, "0")}${"abcdef"[n % 6]}zzzzz`;
    ids.push(id);
    await writeByHand(sb.dir, `${id}.json`, recordJson(id));
  }
  for (const threads of [undefined, countedThreads()]) {
    const store = sb.reopen({ threads, scanTuning: { threadsFrom: 1 } });
    await store.list({});
    const db = new DatabaseSync(join(sb.dir, ".catalog.db"));
    try {
      const rows = db.prepare("SELECT id FROM sessions ORDER BY rid").all() as { id: string }[];
      assert.deepEqual(rows.map((row) => row.id), [...ids].sort());
    } finally {
      db.close();
    }
    await Deno.remove(join(sb.dir, ".catalog.db"));
  }
});

Deno.test("a store that had many sessions and has few starts no thread for a full listing", async () => {
  await using sb = await testStore();
  for (let n = 0; n < 30; n++) {
    const id = `many${String(n).padStart(6, "0")}`;
    await writeByHand(sb.dir, `${id}.json`, recordJson(id));
  }
  const threads = countedThreads();
  const store = sb.reopen({ threads, scanTuning: { threadsFrom: 20 } });
  assert.equal((await store.list({})).length, 30);
  assert.ok(threads.started() >= 1, "30 files, from 20 on: threads");
  for (let n = 5; n < 30; n++) {
    await Deno.remove(join(sb.dir, `many${String(n).padStart(6, "0")}.json`));
  }
  assert.equal((await store.list({})).length, 5);
  const before = threads.started();
  assert.equal((await store.list({})).length, 5);
  assert.equal(threads.started(), before, "5 sessions left (the catalog's highest row is 30)");
});

Deno.test("a worker started early lists the directory while this thread reads the catalog", async () => {
  await using sb = await testStore();
  await mixedDir(sb.dir);
  const threads = countedThreads();
  const here = countingFs();
  const order: string[] = [];
  // Waiting long for the worker: a slow start on a busy machine is not a stuck worker.
  const tuning = { threadsFrom: 1, threadsOnly: true, workerWaitMs: 20_000 };
  const { listed, scan, beside } = await scanDirectory(
    context(threads, tuning, here.fs),
    sb.dir + sep,
    {
      expected: 100_000,
      list: async (listing) => {
        const listed = await listing();
        order.push("listed");
        return listed;
      },
      beside: () => {
        order.push("beside");
        return 42;
      },
      meanwhile: () => order.push("meanwhile"),
    },
  );
  assert.equal(threads.started(), 1);
  assert.deepEqual(listed, await listSessionDir(syncFs(), sb.dir + sep));
  assert.equal(listed.names.length, 51, "40 good files, 11 bad ones");
  assert.deepEqual(scan, await scanSessionFiles(syncFs(), sb.dir + sep, listed.names));
  assert.equal(beside, 42);
  assert.deepEqual(order, ["beside", "listed", "meanwhile"], "beside while the worker listed");
  assert.equal(here.calls(), 0, "the worker listed and scanned (this thread made no file call)");
});

Deno.test("a directory listing that a worker fails, or does not answer, is made here", async () => {
  await using sb = await testStore();
  await mixedDir(sb.dir);
  const expected = await listSessionDir(syncFs(), sb.dir + sep);
  for (const module of [THROWS, FAILS, SILENT, CLOSES, NEVER_LOADS]) {
    const threads = countedThreads(module);
    const here = countingFs();
    const tuning = { threadsFrom: 1, workerWaitMs: 50 };
    let besides = 0;
    const { listed, scan } = await withinLimit(
      scanDirectory(context(threads, tuning, here.fs), sb.dir + sep, {
        expected: 100_000,
        list: (listing) => listing(),
        beside: () => besides++,
      }),
      module,
    );
    assert.equal(threads.started(), 1, module);
    assert.deepEqual(listed, expected, module);
    assert.equal(scan.kinds.length, expected.names.length, module);
    assert.equal(besides, 1, `${module}: beside once`);
    assert.ok(here.calls() > 0, `${module}: listed here`);
  }
});
