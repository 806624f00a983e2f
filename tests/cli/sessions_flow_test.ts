/**
 * The session lifecycle end to end, per backend: new → -c → resume <prefix> → fork, asserting
 * the argv and working directory each backend received.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { assertIncludes } from "../support/assert.ts";
import { withSandbox } from "../support/clinvk.ts";

type Json = Record<string, unknown>;

/** The argv element after `flag`. */
function after(argv: string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  return index === -1 ? undefined : argv[index + 1];
}

for (const backend of ["claude", "codex", "gemini"] as const) {
  Deno.test(`${backend}: new, -c, resume <prefix> and fork continue the right backend session in its directory`, async () => {
    await withSandbox(async (sb) => {
      const elsewhere = join(sb.dir, "elsewhere");
      await Deno.mkdir(elsewhere);

      const first = await sb.json(["-b", backend, "-o", "json", "first prompt"]);
      const id = String(first.session_id);
      const backendId = String(first.backend_session_id);

      // -c works from any directory and runs in the session's own directory.
      const second = await sb.json(["-c", "-o", "json", "second prompt"], { cwd: elsewhere });
      assert.equal(second.session_id, id);
      assert.equal(second.backend_session_id, backendId);
      assert.equal(second.content, "ECHO turn=2: second prompt");

      const third = await sb.json(["resume", id.slice(0, 4), "-o", "json", "third prompt"], {
        cwd: elsewhere,
      });
      assert.equal(third.session_id, id);
      assert.equal(third.content, "ECHO turn=3: third prompt");

      const fork = await sb.json(["sessions", "fork", id, "-o", "json", "fork prompt"]);
      assert.notEqual(fork.session_id, id);
      assert.notEqual(fork.backend_session_id, backendId);
      assert.equal(fork.content, "ECHO turn=4: fork prompt", "the fork carries the history");

      // The original is untouched and both resume independently.
      const original = await sb.json(["resume", id, "-o", "json", "original again"]);
      assert.equal(original.content, "ECHO turn=4: original again");
      const forked = await sb.json(["resume", String(fork.session_id), "-o", "json", "fork again"]);
      assert.equal(forked.content, "ECHO turn=5: fork again");
      assert.equal(forked.backend_session_id, fork.backend_session_id);

      const calls = (await readFakeLog(sb.log)).filter((c) => c.argv[0] !== "--delete-session");
      assert.ok(calls.every((c) => c.cwd === sb.work), "every turn ran in the session's workdir");
      const argvs = calls.map((c) => c.argv);
      if (backend === "claude") {
        assert.equal(after(argvs[1]!, "--resume"), backendId);
        assert.equal(after(argvs[2]!, "--resume"), backendId);
        assert.equal(after(argvs[3]!, "--resume"), backendId);
        assert.ok(argvs[3]!.includes("--fork-session"));
      } else if (backend === "codex") {
        assert.deepEqual(argvs[1]!.slice(0, 3), ["exec", "resume", "--json"]);
        assert.ok(argvs[1]!.includes(backendId));
        assert.deepEqual(argvs[3]!.slice(0, 3), ["exec", "fork", "--json"]);
        assert.ok(argvs[3]!.includes(backendId));
      } else {
        assert.equal(after(argvs[1]!, "--resume"), backendId);
        // Gemini has no native fork: clinvk copies the chat and resumes the copy's new id.
        assert.equal(after(argvs[3]!, "--resume"), fork.backend_session_id);
      }

      const parent = await sb.json(["sessions", "show", id, "--json"]);
      const child = await sb.json(["sessions", "show", String(fork.session_id), "--json"]);
      assert.equal(child.parent_id, id);
      assert.equal(parent.turn_count, 4);
      assert.equal(child.turn_count, 2);
    });
  });
}

Deno.test("codex: token totals of resumed and forked sessions are not double counted", async () => {
  await withSandbox(async (sb) => {
    const first = await sb.json(["-b", "codex", "-o", "json", "one"]);
    const second = await sb.json(["-c", "-o", "json", "two"]);
    const fork = await sb.json([
      "sessions",
      "fork",
      String(first.session_id),
      "-o",
      "json",
      "three",
    ]);
    const usage = (j: Json) => j.token_usage as { total: number };
    const parent = await sb.json(["sessions", "show", String(first.session_id), "--json"]);
    // The session's total is the sum of its turns, not the backend's cumulative counter.
    assert.equal(usage(parent).total, usage(first).total + usage(second).total);
    const child = await sb.json(["sessions", "show", String(fork.session_id), "--json"]);
    assert.equal(usage(child).total, usage(fork).total);
    assert.ok(usage(fork).total < usage(first).total + usage(second).total + usage(fork).total);
  });
});

Deno.test("sessions fork without a prompt forks the backend session on its first turn", async () => {
  await withSandbox(async (sb) => {
    const first = await sb.json(["-b", "claude", "-o", "json", "one"]);
    const made = await sb.run(["sessions", "fork", String(first.session_id)]);
    assert.equal(made.code, 0, made.stderr);
    const forkId = made.stdout.trim();
    assert.match(forkId, /^[a-z0-9]{10}$/);
    const shown = await sb.json(["sessions", "show", forkId, "--json"]);
    assert.equal(shown.parent_id, first.session_id);
    assert.equal(shown.backend_session_id, null);
    const turn = await sb.json(["resume", forkId, "-o", "json", "two"]);
    assert.equal(turn.content, "ECHO turn=2: two");
    assert.notEqual(turn.backend_session_id, first.backend_session_id);
    const calls = await readFakeLog(sb.log);
    assert.ok(calls.at(-1)!.argv.includes("--fork-session"));
  });
});

Deno.test("resume --here only offers sessions of the current directory", async () => {
  await withSandbox(async (sb) => {
    const other = join(sb.dir, "other");
    await Deno.mkdir(join(other, ".git"), { recursive: true });
    const here = await sb.json(["-b", "claude", "-o", "json", "here"]);
    await sb.json(["-b", "claude", "-o", "json", "there"], { cwd: other });
    const result = await sb.json(["resume", "--here", "--last", "-o", "json", "again"]);
    assert.equal(result.session_id, here.session_id);
    const none = await sb.run(["resume", "--here", "--last", "x"], { cwd: sb.dir });
    assert.equal(none.code, 4);
    assertIncludes(none.stderr, "No resumable session in this directory");
  });
});

Deno.test("--ephemeral records no session and the backends keep nothing", async () => {
  await withSandbox(async (sb) => {
    for (const backend of ["claude", "codex", "gemini"]) {
      const out = await sb.json(["-b", backend, "--ephemeral", "-o", "json", "secret"]);
      assert.equal(out.session_id, undefined);
      assert.equal(out.content, "ECHO turn=1: secret");
    }
    const list = await sb.json<Json[]>(["sessions", "list", "--json"]);
    assert.deepEqual(list, []);
    const argvs = (await readFakeLog(sb.log)).map((c) => c.argv);
    assert.ok(argvs[0]!.includes("--no-session-persistence"));
    assert.ok(argvs[1]!.includes("--ephemeral"));
    // Gemini's own --delete-session can delete another session; clinvk removes the chat file.
    assert.equal(argvs.length, 3);
    assert.ok(!argvs.some((argv) => argv.includes("--delete-session")));
    const chats = join(sb.env.HOME, ".gemini", "tmp");
    const leftover = await Array.fromAsync(Deno.readDir(chats)).catch(() => []);
    for (const project of leftover) {
      const files = await Array.fromAsync(Deno.readDir(join(chats, project.name, "chats"))).catch(
        () => [],
      );
      assert.deepEqual(files.filter((f) => f.name.endsWith(".jsonl")), []);
    }
  });
});

Deno.test("a failed --ephemeral Gemini run leaves the project's other sessions alone", async () => {
  await withSandbox(async (sb) => {
    const kept = await sb.json(["-b", "gemini", "-o", "json", "keep me"]);
    // An id that Gemini's --delete-session would read as the list index 1: the session above.
    const failed = await sb.run(["-b", "gemini", "--ephemeral", "x [[fake:error=401]]"], {
      env: { FAKE_BACKEND_NEXT_ID: "1b2c3d4e-0000-4000-8000-000000000001" },
    });
    assert.equal(failed.code, 145, failed.stderr);
    const again = await sb.json(["resume", String(kept.session_id), "-o", "json", "still here?"]);
    assert.equal(again.content, "ECHO turn=2: still here?");
  });
});

Deno.test("a failed turn saves the session as error and it stays resumable", async () => {
  await withSandbox(async (sb) => {
    const failed = await sb.run(["-b", "claude", "-o", "json", "boom [[fake:error=500]]"]);
    assert.equal(failed.code, 1);
    const out = JSON.parse(failed.stdout);
    assert.equal(out.status, "error");
    assertIncludes(out.error, "500");
    const shown = await sb.json(["sessions", "show", out.session_id, "--json"]);
    assert.equal(shown.status, "error");
    assertIncludes(String(shown.error), "500");
    const again = await sb.json(["resume", out.session_id, "-o", "json", "retry"]);
    assert.equal(again.status, "completed");
    const after = await sb.json(["sessions", "show", out.session_id, "--json"]);
    assert.equal(after.error, null);
  });
});
