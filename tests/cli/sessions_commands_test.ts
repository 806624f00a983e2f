/**
 * `sessions list/show/tag/delete`, `resume` without a terminal, and `config`, end to end.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertIncludes } from "../support/assert.ts";
import { withSandbox } from "../support/clinvk.ts";

type Json = Record<string, unknown>;

Deno.test("sessions list prints the guide's columns newest first and filters by backend, status, tags and limit", async () => {
  await withSandbox(async (sb) => {
    // Within one second, the store orders by write, so tag each session right after creating it.
    const a = await sb.json(["-b", "claude", "-o", "json", "fix the bug in auth.go"]);
    await sb.run(["sessions", "tag", String(a.session_id), "bugfix", "auth"]);
    const b = await sb.json(["-b", "codex", "-o", "json", "implement user registration"]);
    const c = await sb.json(["-b", "gemini", "-o", "json", "explain algorithm"]);
    await sb.run(["sessions", "tag", String(c.session_id), "auth"]);
    await sb.run(["-b", "claude", "fails [[fake:error=500]]"]);

    const table = await sb.run(["sessions", "list"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^ID\s+BACKEND\s+STATUS\s+LAST USED\s+TOKENS\s+TITLE\/PROMPT$/);
    assert.equal(lines.length, 5);
    assert.match(lines[1]!, /claude\s+error\s+just now\s+0\s+fails/);
    assert.match(
      lines[4]!,
      new RegExp(
        `^${a.session_id}\\s+claude\\s+completed\\s+just now\\s+\\d+\\s+fix the bug in auth.go$`,
      ),
    );

    const ids = async (...args: string[]) =>
      (await sb.json<Json[]>(["sessions", "list", "--json", ...args])).map((s) => s.id);
    assert.deepEqual(await ids("--backend", "codex"), [b.session_id]);
    assert.deepEqual(await ids("--tag", "auth"), [c.session_id, a.session_id]);
    assert.deepEqual(await ids("--tag", "auth", "--tag", "bugfix"), [a.session_id]);
    assert.equal((await ids("--status", "error")).length, 1);
    assert.deepEqual(await ids("--status", "completed", "--limit", "2"), [
      c.session_id,
      b.session_id,
    ]);
  });
});

Deno.test("sessions show prints the guide's labelled view and exits 4 for an unknown id", async () => {
  await withSandbox(async (sb) => {
    const out = await sb.json(["-b", "claude", "-m", "best", "-o", "json", "fix the bug"]);
    const shown = await sb.run(["sessions", "show", String(out.session_id)]);
    assert.equal(shown.code, 0, shown.stderr);
    for (
      const label of [
        `ID:                ${out.session_id}`,
        "Backend:           claude",
        "Status:            completed",
        `Working Directory: ${sb.work}`,
        `Backend Session:   ${out.backend_session_id}`,
        "Token Usage:",
        "  Total:           ",
        "Tags:              ",
      ]
    ) assertIncludes(shown.stdout, label);
    assert.match(shown.stdout, /Created:\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
    assert.match(shown.stdout, /Last Used:\s+\S+Z \(just now\)\n/);
    // The guide's troubleshooting step greps for the field name.
    assertIncludes(
      shown.stdout.split("\n").find((l) => l.includes("backend_session_id")) ?? "",
      String(out.backend_session_id),
    );

    const missing = await sb.run(["sessions", "show", "zzzzzzzz"]);
    assert.equal(missing.code, 4);
    assertIncludes(missing.stderr, "not found");
  });
});

Deno.test("sessions tag adds and removes tags; delete removes the file", async () => {
  await withSandbox(async (sb) => {
    const out = await sb.json(["-b", "gemini", "-o", "json", "x"]);
    const id = String(out.session_id);
    await sb.run(["sessions", "tag", id, "urgent", "later"]);
    await sb.run(["sessions", "tag", id, "later", "--remove"]);
    const shown = await sb.json(["sessions", "show", id, "--json"]);
    assert.deepEqual(shown.tags, ["urgent"]);
    const deleted = await sb.run(["sessions", "delete", id]);
    assert.equal(deleted.code, 0, deleted.stderr);
    await assert.rejects(Deno.stat(join(sb.sessionsDir, `${id}.json`)));
    assert.equal((await sb.run(["sessions", "delete", id])).code, 4);
  });
});

Deno.test("an ambiguous prefix lists the candidates and exits 4", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.sessionsDir, { recursive: true });
    for (const id of ["abcd000001", "abcd000002"]) {
      await Deno.writeTextFile(
        join(sb.sessionsDir, `${id}.json`),
        JSON.stringify({
          id,
          backend: "claude",
          backend_session_id: crypto.randomUUID(),
          model: null,
          status: "completed",
          created_at: "2025-01-27T10:00:00Z",
          last_used_at: "2025-01-27T10:00:00Z",
          workdir: sb.work,
          prompt: `prompt ${id}`,
          token_usage: { input: 0, output: 0, cached: 0, total: 0 },
          tags: [],
          turn_count: 1,
          metadata: {},
          schema_version: 1,
        }),
      );
    }
    const result = await sb.run(["resume", "abcd", "x"]);
    assert.equal(result.code, 4);
    assertIncludes(result.stderr, "abcd000001");
    assertIncludes(result.stderr, "abcd000002");
  });
});

Deno.test("resume without an id fails clearly when there is no terminal for the picker", async () => {
  await withSandbox(async (sb) => {
    await sb.json(["-b", "claude", "-o", "json", "one"]);
    for (const args of [["resume"], ["resume", "--interactive"]]) {
      const result = await sb.run(args);
      assert.equal(result.code, 2);
      assertIncludes(result.stderr, "clinvk resume <id>");
      assert.equal(result.stderr.trim().split("\n").length, 1);
    }
  });
});

Deno.test("config set keeps comments, get reads it back, and validate reports line and column", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    const path = join(sb.home, "config.yaml");
    await Deno.writeTextFile(path, "# my settings\nsession:\n  retention_days: 30 # a month\n");
    assert.equal((await sb.run(["config", "set", "session.retention_days", "7"])).code, 0);
    const text = await Deno.readTextFile(path);
    assertIncludes(text, "# my settings\n");
    assertIncludes(text, "retention_days: 7 # a month");
    assert.equal((await sb.run(["config", "get", "session.retention_days"])).stdout, "7\n");
    assert.equal((await sb.run(["config", "path"])).stdout, `${path}\n`);
    const bad = await sb.run(["config", "set", "session.retention_days", "soon"]);
    assert.equal(bad.code, 2);
    assert.equal(await Deno.readTextFile(path), text, "a rejected value leaves the file as it was");
    await Deno.writeTextFile(path, "session:\n  retension_days: 3\n");
    const invalid = await sb.run(["config", "validate"]);
    assert.equal(invalid.code, 2);
    assertIncludes(invalid.stdout, `${path}:2:3`);
    assertIncludes(invalid.stdout, "retention_days");
  });
});

Deno.test("completions print scripts that name the commands and flags", async () => {
  await withSandbox(async (sb) => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const result = await sb.run(["completions", shell]);
      assert.equal(result.code, 0, result.stderr);
      for (const word of ["sessions", "resume", "output-format", "stream-json", "claude"]) {
        assertIncludes(result.stdout, word);
      }
    }
    const bash = await sb.run(["completions", "bash"]);
    const check = await new Deno.Command("bash", { args: ["-n"], stdin: "piped" }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(bash.stdout));
    await writer.close();
    assert.equal((await check.status).code, 0, "the bash script parses");
  });
});
