import assert from "node:assert/strict";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { newSession, nextTick, recordJson, testStore, writeByHand } from "./helpers.ts";

function fixedIds(...ids: string[]) {
  return () => ids.shift()!;
}

Deno.test("resolve() finds a session by its full id, in any case", async () => {
  await using t = await testStore();
  const record = await t.store.create(newSession());
  assert.deepEqual(await t.store.resolve(record.id), record);
  assert.deepEqual(await t.store.resolve(record.id.toUpperCase()), record);
});

Deno.test("resolve() finds a session by a unique prefix", async () => {
  await using t = await testStore({ newId: fixedIds("abc1234567", "abd1234567", "xyz1234567") });
  for (let i = 0; i < 3; i++) await t.store.create(newSession({ prompt: `prompt ${i}` }));
  assert.equal((await t.store.resolve("abc")).id, "abc1234567");
  assert.equal((await t.store.resolve("x")).id, "xyz1234567");
});

Deno.test("resolve() of an ambiguous prefix fails with exit 4 listing the candidates", async () => {
  await using t = await testStore({ newId: fixedIds("abc1234567", "abd1234567", "xyz1234567") });
  await t.store.create(newSession({ prompt: "first one" }));
  await t.store.create(newSession({ backend: "codex", prompt: "second one" }));
  await t.store.create(newSession());
  await assert.rejects(t.store.resolve("ab"), (error) => {
    assert.ok(error instanceof ClinvkError);
    assert.equal(error.exitCode, ExitCode.SessionNotFound);
    assert.match(error.message, /"ab" is ambiguous; it matches 2 sessions/);
    assert.match(error.details.join("\n"), /abc1234567 +claude +first one/);
    assert.match(error.details.join("\n"), /abd1234567 +codex +second one/);
    return true;
  });
});

Deno.test("resolve() lists at most ten candidates and counts the rest", async () => {
  const ids = Array.from({ length: 12 }, (_, i) => `aa${String(i).padStart(8, "0")}`);
  await using t = await testStore({ newId: fixedIds(...ids) });
  for (let i = 0; i < 12; i++) await t.store.create(newSession());
  await assert.rejects(t.store.resolve("aa"), (error: ClinvkError) => {
    assert.match(error.message, /matches 12 sessions/);
    assert.equal(error.details.at(-1), "… and 2 more");
    assert.equal(error.details.filter((l) => l.startsWith("aa")).length, 10);
    return true;
  });
});

Deno.test("resolve() of an unknown id fails with exit 4 and a hint", async () => {
  await using t = await testStore();
  await t.store.create(newSession());
  await assert.rejects(t.store.resolve("zzz9"), (error) => {
    assert.ok(error instanceof ClinvkError);
    assert.equal(error.exitCode, 4);
    assert.equal(error.message, 'Session "zzz9" not found');
    assert.match(error.hint ?? "", /clinvk sessions list/);
    return true;
  });
});

Deno.test("resolve() rejects ids with path characters, unicode or nothing with exit 2", async () => {
  await using t = await testStore();
  for (const bad of ["../x", "a/b", "..", "ünïcode", "", "a b", "x.json"]) {
    await assert.rejects(t.store.resolve(bad), { exitCode: ExitCode.Usage }, bad);
    await assert.rejects(t.store.get(bad), { exitCode: ExitCode.Usage }, bad);
  }
});

Deno.test("resolve() finds sessions added, and forgets sessions removed, by hand", async () => {
  await using t = await testStore({ newId: fixedIds("abc1234567") });
  const made = await t.store.create(newSession());
  await nextTick();
  await writeByHand(t.dir, "abd7654321.json", recordJson("abd7654321"));
  await assert.rejects(t.store.resolve("ab"), /matches 2 sessions/);
  await nextTick();
  await Deno.remove(`${t.dir}/abd7654321.json`);
  assert.equal((await t.store.resolve("ab")).id, made.id);
});

Deno.test("resolve() prefers an exact id over longer ids it prefixes", async () => {
  await using t = await testStore();
  await writeByHand(t.dir, "abc.json", recordJson("abc"));
  await writeByHand(t.dir, "abcdef.json", recordJson("abcdef"));
  assert.equal((await t.store.resolve("abc")).id, "abc");
});
