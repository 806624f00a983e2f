/**
 * Per-turn history in the store (issue 12): `appendTurn` writes the `.turns/<id>.jsonl`
 * journal and the catalog; the catalog's turns heal from the journals; search and usage read
 * them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { TurnEntry } from "../../src/sessions/store_types.ts";
import { newSession, testStore } from "./helpers.ts";

function entry(n: number, overrides: Partial<TurnEntry> = {}): TurnEntry {
  return {
    n,
    at: "2025-01-27T10:00:00Z",
    backend: "claude",
    model: "claude-sonnet-4-5",
    prompt: `prompt ${n}`,
    answer: `answer ${n}`,
    usage: { input: 1000, output: 100, cached: 400, total: 1100 },
    cost_usd: 0.00342,
    price_source: "genai-prices 0.1.8",
    exit_code: 0,
    duration_seconds: 1.5,
    error_class: null,
    error: null,
    ...overrides,
  };
}

Deno.test("appendTurn() keeps each turn in the journal and turns() lists them in order", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  await t.store.appendTurn(record.id, entry(1));
  await t.store.appendTurn(record.id, entry(2, { error_class: "timeout", exit_code: 124 }));
  const turns = await t.store.turns(record.id);
  assert.deepEqual(turns.map((turn) => [turn.n, turn.prompt, turn.error_class]), [
    [1, "prompt 1", null],
    [2, "prompt 2", "timeout"],
  ]);
  const journal = join(t.dir, ".turns", `${record.id}.jsonl`);
  const lines = (await Deno.readTextFile(journal)).trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.equal(JSON.parse(lines[0]!).answer, "answer 1");
  assert.equal((await Deno.stat(journal)).mode! & 0o777, 0o600);
});

Deno.test("turns, search and usage are rebuilt from the journals when the catalog is lost", async () => {
  await using t = await testStore();
  const a = await t.store.create(newSession({ tags: ["x"] }));
  const b = await t.store.create(newSession({ backend: "codex", prompt: "other" }));
  await t.store.appendTurn(a.id, entry(1, { answer: "the parser is fixed" }));
  await t.store.appendTurn(b.id, entry(1, { backend: "codex", cost_usd: null }));
  await Deno.remove(join(t.dir, ".catalog.db"));
  const fresh = t.reopen();
  assert.equal((await fresh.turns(a.id)).length, 1);
  const hits = await fresh.search({ text: "parser" });
  assert.deepEqual(hits.map((hit) => [hit.record.id, hit.turn]), [[a.id, 1]]);
  assert.ok(hits[0]!.snippet.includes("\u0001parser\u0002"), hits[0]!.snippet);
  const cells = await fresh.usage({ by: "backend" });
  const byBackend = Object.fromEntries(cells.map((cell) => [cell.key, cell]));
  assert.equal(byBackend.claude?.total, 1100);
  assert.equal(byBackend.codex?.unknown_cost_turns, 1);
  assert.equal(byBackend.codex?.cost_usd, 0);
});

Deno.test("a journal line torn by a crash is skipped, and cut off by the next append", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  await t.store.appendTurn(record.id, entry(1));
  const journal = join(t.dir, ".turns", `${record.id}.jsonl`);
  await Deno.writeTextFile(journal, '{"n": 2, "at": "2025-01-', { append: true });
  // Appended behind the catalog's back, like a writer killed mid-append (its mark left set).
  assert.deepEqual((await t.reopen().turns(record.id)).map((turn) => turn.n), [1]);
  const other = t.reopen();
  await other.appendTurn(record.id, entry(3));
  await Deno.remove(join(t.dir, ".catalog.db"));
  assert.deepEqual((await t.reopen().turns(record.id)).map((turn) => turn.n), [1, 3]);
  assert.equal((await Deno.readTextFile(journal)).trimEnd().split("\n").length, 2);
  assert.deepEqual(t.warnings, []);
});

Deno.test("search() ranks, filters by backend, tag, workdir and time, and matches prefixes", async () => {
  await using t = await testStore();
  const auth = await t.store.create(
    newSession({ prompt: "fix the authentication bug", tags: ["bug"], workdir: "/a" }),
  );
  t.clock.advance(60_000);
  const docs = await t.store.create(
    newSession({ backend: "codex", prompt: "write docs", workdir: "/b" }),
  );
  await t.store.appendTurn(docs.id, entry(1, { answer: "auth is explained in docs/auth.md" }));
  assert.deepEqual(
    (await t.store.search({ text: "auth" })).map((h) => h.record.id).sort(),
    [
      auth.id,
      docs.id,
    ].sort(),
  );
  assert.deepEqual(
    (await t.store.search({ text: "auth", backend: "codex" })).map((h) => h.record.id),
    [docs.id],
  );
  assert.deepEqual(
    (await t.store.search({ text: "auth", tags: ["bug"] })).map((h) => h.record.id),
    [auth.id],
  );
  assert.deepEqual(
    (await t.store.search({ text: "auth", workdir: "/b" })).map((h) => h.record.id),
    [docs.id],
  );
  assert.deepEqual(await t.store.search({ text: "authentication docs" }), []);
  assert.deepEqual(await t.store.search({ text: '"; DROP TABLE sessions; --' }), []);
  const since = Date.parse(docs.last_used_at);
  assert.deepEqual(
    (await t.store.search({ text: "auth", sinceMs: since })).map((h) => h.record.id),
    [docs.id],
  );
  // A later edit of the session (a new tag) is searchable at once.
  await t.store.update(auth.id, (r) => ({ ...r, tags: [...r.tags, "zebra"] }));
  assert.deepEqual((await t.store.search({ text: "zebra" })).map((h) => h.record.id), [auth.id]);
  // A deleted session is gone from search.
  await t.store.delete(docs.id);
  assert.deepEqual((await t.store.search({ text: "docs" })).map((h) => h.record.id), []);
});

Deno.test("usage() sums by time bucket and by backend, model, tag, workdir, session and run", async () => {
  await using t = await testStore();
  const a = await t.store.create(newSession({ tags: ["x", "y"], workdir: "/a" }));
  const b = await t.store.create(newSession({ backend: "gemini", workdir: "/b" }));
  await t.store.appendTurn(a.id, entry(1, { at: "2025-01-27T10:00:00Z" }));
  await t.store.appendTurn(a.id, entry(2, { at: "2025-01-28T10:00:00Z", run_id: "run1" }));
  await t.store.appendTurn(
    b.id,
    entry(1, { at: "2025-01-28T11:00:00Z", backend: "gemini", model: null, cost_usd: null }),
  );
  const sums = (by: Parameters<typeof t.store.usage>[0]["by"], extra = {}) =>
    t.store.usage({ by, ...extra }).then((cells) =>
      Object.fromEntries(cells.map((cell) => [String(cell.key), cell.total]))
    );
  assert.deepEqual(await sums("backend"), { claude: 2200, gemini: 1100 });
  assert.deepEqual(await sums("model"), { "claude-sonnet-4-5": 2200, null: 1100 });
  assert.deepEqual(await sums("tag"), { x: 2200, y: 2200, null: 1100 });
  assert.deepEqual(await sums("workdir"), { "/a": 2200, "/b": 1100 });
  assert.deepEqual(await sums("session"), { [a.id]: 2200, [b.id]: 1100 });
  assert.deepEqual(await sums("run"), { run1: 1100, null: 2200 });
  const since = Date.parse("2025-01-28T00:00:00Z");
  assert.deepEqual(await sums("none", { sinceMs: since }), { null: 2200 });
  assert.deepEqual(await sums("none", { untilMs: since }), { null: 1100 });
  // Off a 15-minute boundary the sums come from the turns, on one from the rollup: the same.
  assert.deepEqual(await sums("backend", { sinceMs: since + 1 }), { claude: 1100, gemini: 1100 });
  assert.deepEqual(await sums("backend", { sinceMs: since }), { claude: 1100, gemini: 1100 });
  const buckets = await t.store.usage({ by: "none", bucketMs: 86_400_000 });
  assert.deepEqual(
    buckets.map((cell) => [new Date(cell.bucket).toISOString(), cell.turns]).sort(),
    [
      ["2025-01-27T00:00:00.000Z", 1],
      ["2025-01-28T00:00:00.000Z", 2],
    ],
  );
});

Deno.test("search() breaks ties of score and time by id, whatever order the rows were made in", async () => {
  await using t = await testStore();
  const ids = ["tie000000e", "tie000000d", "tie000000c", "tie000000b", "tie000000a"];
  let next = 0;
  const store = t.reopen({ newId: () => ids[next++]! });
  // Made largest id first, at the same instant, with the same words: tied in score and time.
  for (const _ of ids) await store.create(newSession({ prompt: "same words here" }));
  const hits = await store.search({ text: "same", limit: 2 });
  assert.deepEqual(hits.map((hit) => hit.record.id), ["tie000000a", "tie000000b"]);
});
