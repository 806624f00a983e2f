/**
 * Text from session files reaches the terminal escaped (issue 9.14): a crafted prompt or a
 * bad file cannot clear the screen or retitle the terminal of whoever lists sessions.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withSandbox } from "../support/clinvk.ts";

// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

Deno.test("sessions list and show print a session's escape sequences as text", async () => {
  await withSandbox(async (sb) => {
    const made = await sb.json(["-b", "claude", "-o", "json", "hello"]);
    const id = String(made.session_id);
    const path = join(sb.sessionsDir, `${id}.json`);
    const record = JSON.parse(await Deno.readTextFile(path));
    record.title = "\x1b[2J\x1b]0;pwned\x07 wiped";
    record.tags = ["evil\x1b[31m"];
    await Deno.writeTextFile(path, JSON.stringify(record));

    for (const args of [["sessions", "list"], ["sessions", "show", id]]) {
      const result = await sb.run(args);
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stdout, RAW_CONTROL, `${args.join(" ")}:\n${result.stdout}`);
      assert.match(result.stdout, /\\e\[2J\\e\]0;pwned\\x07 wiped/);
    }
    const shown = await sb.run(["sessions", "show", id]);
    assert.match(shown.stdout, /Tags: +evil\\e\[31m\n/);
    // The data itself is unchanged: --json is for programs and escapes as JSON does.
    const json = await sb.json(["sessions", "show", id, "--json"]);
    assert.equal(json.title, record.title);
  });
});

Deno.test("a bad session file's first bytes are reported escaped, on one line", async () => {
  await withSandbox(async (sb) => {
    await sb.run(["-b", "claude", "hello"]);
    await Deno.writeTextFile(join(sb.sessionsDir, "evil000001.json"), "\x1b[2J\x1b]0;pwned\x07\n{");
    const result = await sb.run(["sessions", "list"]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, RAW_CONTROL, result.stderr);
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^clinvk: warning: .*evil000001\.json/);
  });
});
