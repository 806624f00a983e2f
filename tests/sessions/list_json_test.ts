/**
 * `listJson()`: the text `sessions list --json` prints, joined by SQLite from the rows'
 * stored items, must be exactly what serializing the records would print — for hand-written
 * files with odd key orders, extra fields, fields the short ones would hide, and text that
 * JSON escapes — and a row must give back its record, keys in the file's order.
 */
import assert from "node:assert/strict";
import { rowRecord, rowTexts, sessionListItem } from "../../src/sessions/list_item.ts";
import type { SessionRecord } from "../../src/sessions/record.ts";
import { validateRecord } from "../../src/sessions/validate_record.ts";
import { sessionsTable } from "../../src/output/session_views.ts";
import { newSession, recordJson, testStore, writeByHand } from "./helpers.ts";

/** What `sessions list --json` printed before the catalog kept items: the records serialized. */
function serialized(records: SessionRecord[]): string {
  return JSON.stringify(records.map(sessionListItem), null, 2) + "\n";
}

/** Hand-written records that exercise every way an item could lose or misplace something. */
function oddRecords(): Record<string, unknown>[] {
  const reordered = Object.fromEntries(
    Object.entries(recordJson("odd0order1")).reverse(),
  );
  const proto = JSON.parse(
    JSON.stringify(recordJson("odd1proto2")).replace(/}$/, ',"__proto__":{"x":1}}'),
  );
  return [
    reordered,
    proto,
    recordJson("odd2hides3", {
      last_used_at: "2025-01-27T11:31:00Z",
      ...({ last_used: "mine", tokens: [1, 2] } as object),
    }),
    recordJson("odd3texts4", {
      last_used_at: "2025-01-27T11:32:00Z",
      prompt: 'line\nbreak "quoted" \\ tab\t \u0001 \u2028 \ud83d\ude00 \ud800 é',
      title: "",
      tags: [],
      metadata: {},
      ...({ extra: { nested: [{}, [], null, 1.5e300, 0] } } as object),
    }),
  ];
}

/** The text of `listJson()`'s pieces (UTF-8 bytes), as printed one after the other. */
function text(pieces: Uint8Array[]): string {
  const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) bytes.set(piece, (at += piece.length) - piece.length);
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

Deno.test("listJson() prints exactly the serialized records, odd hand-written files included", async () => {
  await using t = await testStore();
  for (let i = 0; i < 3; i++) {
    await t.store.create(newSession({ tags: [`t${i}`] }));
    t.clock.advance(60_000);
  }
  for (const raw of oddRecords()) await writeByHand(t.dir, `${raw.id}.json`, raw);
  const records = await t.store.list();
  assert.equal(records.length, 7);
  assert.equal(text(await t.store.listJson()), serialized(records));
  // With a filter, and once the catalog was rebuilt from the files (bulk load).
  await t.store.update(records[5]!.id, (r) => ({ ...r, tags: [...r.tags, "picked"] }));
  const picked = await t.store.list({ tags: ["picked"] });
  assert.equal(picked.length, 1);
  assert.equal(text(await t.store.listJson({ tags: ["picked"] })), serialized(picked));
  await Deno.remove(`${t.dir}/.catalog.db`);
  const fresh = t.reopen();
  assert.equal(text(await fresh.listJson()), serialized(await fresh.list()));
  assert.equal(text(await fresh.listJson({ backend: "gemini" })), "[]\n");
});

Deno.test("listJson() and clean({dryRun}) cut thousands of sessions into pieces that join in order", async () => {
  await using t = await testStore();
  const made: SessionRecord[] = [];
  // Three pieces of at most 2,000, with ties in last_used_at across each piece's edge.
  await Deno.mkdir(t.dir, { recursive: true });
  for (let i = 0; i < 4100; i++) {
    const raw = recordJson(`p${String(i).padStart(9, "0")}`, {
      last_used_at: `2025-01-27T1${Math.floor(i / 1000)}:00:00Z`,
      created_at: `2025-01-2${i % 3}T10:00:00Z`,
    });
    await Deno.writeTextFile(`${t.dir}/${raw.id}.json`, JSON.stringify(raw));
    made.push(raw);
  }
  const pieces = await t.store.listJson();
  assert.equal(pieces.length, 7, "[, three pieces with a separator between each two, ]");
  const records = await t.store.list();
  assert.equal(records.length, 4100);
  assert.equal(text(pieces), serialized(records));
  // Newest first; a tie in last_used_at by created_at, then id, both newest first.
  const ids = (JSON.parse(text(pieces)) as { id: string }[]).map((item) => item.id);
  const expected = [...made].sort((a, b) =>
    b.last_used_at.localeCompare(a.last_used_at) || b.created_at.localeCompare(a.created_at) ||
    b.id.localeCompare(a.id)
  ).map((r) => r.id);
  assert.deepEqual(ids, expected);
  // `clean --dry-run` reads its rows in pieces too: the same order across their edges.
  const old = await t.store.clean(new Date("2100-01-01T00:00:00Z"), { dryRun: true });
  assert.deepEqual(old.map((session) => session.id), expected);
  const cutoff = await t.store.clean(new Date("2025-01-27T12:00:00Z"), { dryRun: true });
  assert.deepEqual(cutoff.map((session) => session.id), expected.slice(-2000));
});

Deno.test("a row gives back its record with the file's keys in the file's order", () => {
  for (const raw of oddRecords()) {
    const checked = validateRecord(raw, String(raw.id));
    assert.ok(checked.ok);
    const back = rowRecord(rowTexts(checked.record));
    assert.deepEqual(back, checked.record);
    assert.deepEqual(Object.keys(back), Object.keys(checked.record));
    assert.equal(JSON.stringify(back), JSON.stringify(checked.record));
  }
});

Deno.test("clean({dryRun}) shows what each record holds, read from the rows, odd hand-written files included", async () => {
  await using t = await testStore();
  await t.store.create(newSession({ title: "a  title\twith\nspaces" }));
  for (const raw of oddRecords()) await writeByHand(t.dir, `${raw.id}.json`, raw);
  const records = await t.store.list();
  const overviews = await t.store.clean(new Date("2100-01-01T00:00:00Z"), { dryRun: true });
  const fields = [
    "id",
    "backend",
    "status",
    "last_used_at",
    "token_usage",
    "title",
    "prompt",
    "parent_id",
  ] as const;
  const pick = (session: Partial<SessionRecord>) => fields.map((field) => session[field]);
  assert.deepEqual(overviews.map(pick), records.map(pick));
  const now = new Date("2025-02-01T00:00:00Z");
  assert.equal(sessionsTable(overviews, now), sessionsTable(records, now));
  assert.equal((await t.store.list()).length, 5, "a dry run deletes nothing");
});
