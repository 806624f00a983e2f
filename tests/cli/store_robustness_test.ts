/**
 * What users do to the store by hand, and two clinvk processes on one session: nothing breaks,
 * nothing is lost.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertIncludes } from "../support/assert.ts";
import { clinvkEnv, repoRoot, runClinvk, spawnClinvk, withSandbox } from "../support/clinvk.ts";

type Json = Record<string, unknown>;

Deno.test("a second turn on a busy session is refused with exit 5 naming the holder, or waits with --wait", async () => {
  await withSandbox(async (sb) => {
    const first = await sb.json(["-b", "claude", "-o", "json", "one"]);
    const id = String(first.session_id);
    // A long turn in another real process holds the session.
    const slow = runClinvk(clinvkEnv(sb, sb.home), ["resume", id, "slow [[fake:sleep=2500]]"], {
      cwd: sb.work,
    });
    // Wait until the slow turn has taken the session (its status turns active).
    for (let i = 0; i < 100; i++) {
      const shown = await sb.json(["sessions", "show", id, "--json"]);
      if (shown.status === "active") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const refused = await sb.run(["resume", id, "two"]);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /in use by process \d+/);
    assertIncludes(refused.stderr, "--wait");
    const waited = await sb.json(["resume", id, "--wait", "-o", "json", "three"]);
    assert.equal(waited.status, "completed");
    assert.equal((await slow).code, 0);
    const final = await sb.json(["sessions", "show", id, "--json"]);
    assert.equal(final.turn_count, 3, "both the slow turn and the waiting one were saved");
  });
});

Deno.test("bad session files are reported with their path and never break list, show, -c or resume", async () => {
  await withSandbox(async (sb) => {
    const good = await sb.json(["-b", "gemini", "-o", "json", "good one"]);
    const bad: Record<string, string> = {
      "empty00001.json": "",
      "trunc00001.json": '{"id": "trunc00001", "backend": "cla',
      "notjson001.json": "hello world",
      "array00001.json": "[1, 2, 3]",
      "shape00001.json": JSON.stringify({ id: "shape00001", backend: "claude" }),
      "Backup Copy.json": JSON.stringify({ anything: true }),
    };
    for (const [name, text] of Object.entries(bad)) {
      await Deno.writeTextFile(join(sb.sessionsDir, name), text);
    }
    const list = await sb.run(["sessions", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).map((s: Json) => s.id), [good.session_id]);
    for (const name of Object.keys(bad)) assertIncludes(list.stderr, join(sb.sessionsDir, name));

    const table = await sb.run(["sessions", "list"]);
    assert.equal(table.code, 0);
    assertIncludes(table.stdout, String(good.session_id));

    const cont = await sb.json(["-c", "-o", "json", "next"]);
    assert.equal(cont.session_id, good.session_id);
    const resumed = await sb.json(["resume", "--last", "-o", "json", "again"]);
    assert.equal(resumed.session_id, good.session_id);
    const show = await sb.run(["sessions", "show", "empty00001"]);
    assert.equal(show.code, 4);

    const doctor = await sb.run(["sessions", "doctor"]);
    assert.equal(doctor.code, 1);
    for (const name of Object.keys(bad)) assertIncludes(doctor.stdout, name);
    const fixed = await sb.run(["sessions", "doctor", "--fix"]);
    assert.equal(fixed.code, 0, fixed.stderr);
    const quarantined = (await Array.fromAsync(Deno.readDir(join(sb.sessionsDir, ".corrupt"))))
      .map((e) => e.name).sort();
    assert.deepEqual(quarantined, Object.keys(bad).sort(), "moved, never deleted");
    assert.equal((await sb.run(["sessions", "doctor"])).code, 0);
  });
});

Deno.test("a session file removed by hand and a replaced sessions directory never break a command", async () => {
  await withSandbox(async (sb) => {
    const a = await sb.json(["-b", "claude", "-o", "json", "a"]);
    const b = await sb.json(["-b", "codex", "-o", "json", "b"]);
    await Deno.remove(join(sb.sessionsDir, `${b.session_id}.json`));
    const afterRm = await sb.json<Json[]>(["sessions", "list", "--json"]);
    assert.deepEqual(afterRm.map((s) => s.id), [a.session_id]);
    const cont = await sb.json(["-c", "-o", "json", "c"]);
    assert.equal(cont.session_id, a.session_id);

    // The guide's reset: move the store away and start with an empty directory.
    await Deno.rename(sb.sessionsDir, `${sb.sessionsDir}.backup`);
    await Deno.mkdir(sb.sessionsDir);
    assert.deepEqual(await sb.json(["sessions", "list", "--json"]), []);
    const none = await sb.run(["-c", "x"]);
    assert.equal(none.code, 4);
    const fresh = await sb.json(["-b", "gemini", "-o", "json", "fresh"]);
    const listed = await sb.json<Json[]>(["sessions", "list", "--json"]);
    assert.deepEqual(listed.map((s) => s.id), [fresh.session_id]);

    // …and moving the backup back brings the old sessions back.
    await Deno.remove(sb.sessionsDir, { recursive: true });
    await Deno.rename(`${sb.sessionsDir}.backup`, sb.sessionsDir);
    const restored = await sb.json<Json[]>(["sessions", "list", "--json"]);
    assert.deepEqual(restored.map((s) => s.id), [a.session_id]);
  });
});

Deno.test("sessions clean deletes by age, --dry-run only lists, and retention runs on a new session", async () => {
  await withSandbox(async (sb) => {
    const fresh = await sb.json(["-b", "claude", "-o", "json", "fresh"]);
    const old = (id: string, daysAgo: number) => {
      const when = new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(
        /\.\d+Z$/,
        "Z",
      );
      return JSON.stringify({
        id,
        backend: "claude",
        backend_session_id: crypto.randomUUID(),
        model: null,
        status: "completed",
        created_at: when,
        last_used_at: when,
        workdir: sb.work,
        prompt: `old ${daysAgo}`,
        token_usage: { input: 1, output: 1, cached: 0, total: 2 },
        tags: [],
        turn_count: 1,
        metadata: {},
        schema_version: 1,
      });
    };
    await Deno.writeTextFile(join(sb.sessionsDir, "tendaysold.json"), old("tendaysold", 10));
    await Deno.writeTextFile(join(sb.sessionsDir, "fortydays0.json"), old("fortydays0", 40));

    const dry = await sb.run(["sessions", "clean", "--older-than", "7d", "--dry-run", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(JSON.parse(dry.stdout).sort(), ["fortydays0", "tendaysold"]);
    assert.equal((await sb.json<Json[]>(["sessions", "list", "--json"])).length, 3);

    // Default retention (30 days) runs when a new session is created.
    await Deno.remove(join(sb.sessionsDir, ".retention-stamp")).catch(() => {});
    await sb.json(["-b", "claude", "-o", "json", "another"]);
    const ids = (await sb.json<Json[]>(["sessions", "list", "--json"])).map((s) => s.id);
    assert.ok(!ids.includes("fortydays0"), "expired by retention");
    assert.ok(ids.includes("tendaysold"));
    assert.ok(ids.includes(fresh.session_id));

    const cleaned = await sb.run(["sessions", "clean", "--older-than", "7d"]);
    assert.equal(cleaned.code, 0);
    assertIncludes(cleaned.stderr, "Deleted 1 session");
    assert.ok(
      !(await sb.json<Json[]>(["sessions", "list", "--json"])).some((s) => s.id === "tendaysold"),
    );
  });
});

Deno.test("-c uses the continued session's backend settings, not the default backend's", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      "backends:\n  claude:\n    model: sonnet\n",
    );
    await sb.json(["-b", "codex", "-o", "json", "one"]);
    const dry = await sb.run(["-c", "--dry-run", "two"]);
    assert.equal(dry.code, 0, dry.stderr);
    assertIncludes(dry.stdout, "codex exec resume");
    assert.ok(!dry.stdout.includes("sonnet"), dry.stdout);
  });
});

Deno.test("when the store stays locked at the end of a turn, the answer is shown and clinvk exits 5", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(join(sb.home, "config.yaml"), "session:\n  lock_timeout_seconds: 1\n");
    const turn = spawnClinvk(clinvkEnv(sb, sb.home), ["-b", "claude", "slow [[fake:sleep=2500]]"], {
      cwd: sb.work,
    });
    for (let i = 0; i < 100; i++) {
      const list = await sb.run(["sessions", "list", "--json"]);
      if (list.code === 0 && JSON.parse(list.stdout).some((s: Json) => s.status === "active")) {
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        join(repoRoot, "tests", "sessions", "fixtures", "hold_lock.ts"),
        join(sb.sessionsDir, ".lock"),
      ],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const reader = holder.stdout.getReader();
    await reader.read(); // "locked"
    const output = await turn.output();
    const writer = holder.stdin.getWriter();
    await writer.close();
    reader.releaseLock();
    await holder.output();
    assert.equal(output.code, 5);
    assert.equal(
      new TextDecoder().decode(output.stdout),
      "ECHO turn=1: slow [[fake:sleep=2500]]\n",
    );
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assertIncludes(stderr, ".lock");
  });
});
