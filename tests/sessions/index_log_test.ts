import assert from "node:assert/strict";
import { join } from "node:path";
import type { IndexEntry } from "../../src/sessions/index_entry.ts";
import {
  appendChanges,
  loadIndex,
  readIndexState,
  writeIndex,
} from "../../src/sessions/index_log.ts";
import { findByPrefix, scanNewest } from "../../src/sessions/index_search.ts";
import type { IndexChange, IndexState } from "../../src/sessions/index_log.ts";
import { storePaths } from "../../src/sessions/store_paths.ts";
import type { SessionFilter } from "../../src/sessions/store_types.ts";
import { formatTimestamp, timestampMs } from "../../src/sessions/time.ts";

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BACKENDS = ["claude", "codex", "gemini"];

function entry(id: string, lastUsed: number, backend: string): IndexEntry {
  const at = formatTimestamp(new Date(Date.UTC(2025, 0, 1) + lastUsed * 1000));
  return {
    id,
    backend,
    status: "completed",
    created_at: at,
    last_used_at: at,
    total_tokens: 0,
    snippet: id,
    workdir: "/w",
    tags: [],
    resumable: backend !== "gemini",
    parent_id: null,
    mtime: 0,
    size: 0,
  };
}

/** The expected answer: latest line per id wins; newest last_used_at, then latest write. */
function expected(model: Map<string, { entry: IndexEntry; pos: number }>, filter: SessionFilter) {
  return [...model.values()]
    .filter(({ entry }) =>
      (filter.backend === undefined || entry.backend === filter.backend) &&
      (filter.resumable === undefined || entry.resumable === filter.resumable)
    )
    .sort((a, b) =>
      timestampMs(b.entry.last_used_at) - timestampMs(a.entry.last_used_at) || b.pos - a.pos
    )
    .slice(0, filter.limit)
    .map(({ entry }) => entry.id);
}

Deno.test("scanNewest() and findByPrefix() agree with a brute-force model of the log", async () => {
  const home = await Deno.makeTempDir();
  try {
    const paths = storePaths(home);
    await Deno.mkdir(paths.dir, { recursive: true });
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)] as T;
      const newId = () => Array.from({ length: 6 }, () => pick([..."abc0123"])).join("");
      // Few distinct seconds, so ties between timestamps are common.
      const fresh = (id: string) => entry(id, Math.floor(next() * 50), pick(BACKENDS));
      const model = new Map<string, { entry: IndexEntry; pos: number }>();
      const base = Array.from({ length: 600 }, () => fresh(newId()))
        .filter((e, i, all) => all.findIndex((o) => o.id === e.id) === i)
        .sort((a, b) => timestampMs(a.last_used_at) - timestampMs(b.last_used_at));
      base.forEach((e, pos) => model.set(e.id, { entry: e, pos }));
      let state: IndexState = await writeIndex(Deno, paths, Deno.pid, base, []);
      let pos = base.length;
      for (let round = 0; round < 150; round++) {
        const roll = next();
        const known = [...model.keys()];
        let change: IndexChange;
        if (roll < 0.2 && known.length > 0) {
          const id = pick(known);
          model.delete(id);
          change = { deleted: id };
        } else {
          const e = fresh(roll < 0.6 && known.length > 0 ? pick(known) : newId());
          model.set(e.id, { entry: e, pos });
          change = { entry: e };
        }
        pos++;
        state = await appendChanges(Deno, paths, state, [change]);
      }
      assert.deepEqual(await readIndexState(Deno, paths.index), state);
      assert.equal((await loadIndex(Deno, paths.index))!.slots.size, model.size);
      for (const limit of [1, 3, 10, 1000]) {
        for (const filter of [{}, { backend: "codex" as const }, { resumable: false }]) {
          const got = await scanNewest(Deno, paths.index, state, filter, limit);
          assert.deepEqual(got!.map((r) => r.entry.id), expected(model, { ...filter, limit }));
        }
      }
      for (const prefix of ["a", "b0", "c3a", "01", "zz", "abc0123"]) {
        const want = [...model.keys()].filter((id) => id.startsWith(prefix)).sort();
        assert.deepEqual(await findByPrefix(Deno, paths.index, state, prefix), want, prefix);
      }
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("findByPrefix() finds matches that span several pages of the id block", async () => {
  const home = await Deno.makeTempDir();
  try {
    const paths = storePaths(home);
    await Deno.mkdir(paths.dir, { recursive: true });
    const ids = Array.from(
      { length: 1500 },
      (_, i) => `${i < 700 ? "m" : "n"}${String(i).padStart(5, "0")}`,
    );
    const state = await writeIndex(
      Deno,
      paths,
      Deno.pid,
      ids.map((id) => entry(id, 1, "claude")),
      [],
    );
    assert.equal((await findByPrefix(Deno, paths.index, state, "m"))!.length, 700);
    assert.equal((await findByPrefix(Deno, paths.index, state, "n"))!.length, 800);
    assert.deepEqual(await findByPrefix(Deno, paths.index, state, "n01499"), ["n01499"]);
    assert.deepEqual(await findByPrefix(Deno, paths.index, state, "m00000"), ["m00000"]);
    assert.deepEqual(await findByPrefix(Deno, paths.index, state, "o"), []);
    assert.deepEqual(await findByPrefix(Deno, paths.index, state, "a"), []);
    assert.ok(join(paths.dir, ".index") === paths.index);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
