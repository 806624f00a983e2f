/**
 * Many real clinvk processes on one store at once (issue 4): turns, tags, forks and deletes
 * interleave through the fake backends, and afterwards nothing is lost, torn or left over.
 */
import assert from "node:assert/strict";
import type { CliResult, Sandbox } from "../support/clinvk.ts";
import { withSandbox } from "../support/clinvk.ts";
import { listedIds, snapshotStore } from "./store_check.ts";

/** Worker processes run side by side; each runs its steps one after another. */
const WORKERS = 8;

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.code, 0, `${what} exited ${result.code}:\n${result.stderr}`);
  return result;
}

/**
 * One worker's life: tag both shared sessions, start a session of its own, take a turn on
 * shared session A (waiting for its turn), fork its own session and delete the fork, and
 * continue the most recent Claude session (A or B) with `-c`.
 */
async function worker(sb: Sandbox, n: number, shared: { a: string; b: string }) {
  const own = n % 2 === 0 ? "codex" : "gemini";
  ok(await sb.run(["sessions", "tag", shared.a, `w${n}a`, `w${n}b`]), `w${n} tag A`);
  const created = JSON.parse(
    ok(await sb.run(["-b", own, "-o", "json", `own session of w${n}`]), `w${n} new`).stdout,
  );
  ok(await sb.run(["resume", shared.a, "--wait", "-o", "json", `turn of w${n}`]), `w${n} resume`);
  const fork = ok(await sb.run(["sessions", "fork", created.session_id]), `w${n} fork`)
    .stdout.trim();
  ok(await sb.run(["sessions", "tag", shared.b, `w${n}`]), `w${n} tag B`);
  ok(await sb.run(["sessions", "tag", created.session_id, "mine"]), `w${n} tag own`);
  ok(await sb.run(["-c", "-b", "claude", "--wait", "-o", "json", `c of w${n}`]), `w${n} -c`);
  ok(await sb.run(["sessions", "delete", fork]), `w${n} delete fork`);
  return { own: String(created.session_id), fork };
}

Deno.test("the store loses no update when 8 clinvk processes run turns, tags, forks and deletes at once", async () => {
  await withSandbox(async (sb) => {
    const newClaude = async (prompt: string) =>
      String(
        JSON.parse(ok(await sb.run(["-b", "claude", "-o", "json", prompt]), prompt).stdout)
          .session_id,
      );
    const shared = { a: await newClaude("shared session A"), b: "" };
    shared.b = await newClaude("shared session B");

    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, n) => worker(sb, n, shared)),
    );

    const { records, temps } = await snapshotStore(sb.sessionsDir);
    assert.deepEqual(temps, [], "no temp file is left behind");
    const a = records.get(shared.a)!;
    const b = records.get(shared.b)!;
    for (let n = 0; n < WORKERS; n++) {
      assert.ok(a.tags.includes(`w${n}a`) && a.tags.includes(`w${n}b`), `A lost w${n}'s tags`);
      assert.ok(b.tags.includes(`w${n}`), `B lost w${n}'s tag`);
    }
    // A: its first turn + one resume per worker; each `-c` went to A or B (both Claude).
    assert.ok(a.turn_count >= 1 + WORKERS, `A has ${a.turn_count} turns`);
    assert.equal(a.turn_count + b.turn_count, 2 + 2 * WORKERS, "every turn was counted once");
    for (const { own, fork } of results) {
      const record = records.get(own);
      assert.ok(record, `session ${own} is missing`);
      assert.equal(record.turn_count, 1);
      assert.ok(record.tags.includes("mine"));
      assert.equal(records.has(fork), false, `deleted fork ${fork} is back`);
    }
    const expected = [shared.a, shared.b, ...results.map((r) => r.own)].sort();
    assert.deepEqual([...records.keys()].sort(), expected);
    // The index agrees with the files: the listing shows exactly the files.
    const listed = ok(await sb.run(["sessions", "list", "--json"]), "list");
    assert.deepEqual(listedIds(listed.stdout), expected);
    assert.equal(listed.stderr, "", "no warnings about bad files");
  });
});
