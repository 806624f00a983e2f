/**
 * Flags before a command name (issue 9.11): the command runs with them, or the run is refused
 * with a line saying how to send the words as a prompt — never a silent backend call.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { routes } from "../../src/cli/app.ts";
import { placeLeadingFlags } from "../../src/cli/global_flags.ts";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { withSandbox } from "../support/clinvk.ts";

const place = (...args: string[]) => placeLeadingFlags(args, routes);

Deno.test("placeLeadingFlags() moves flags after the command that takes them", () => {
  assert.deepEqual(place("--config", "ci.yaml", "sessions", "list"), {
    kind: "args",
    args: ["sessions", "list", "--config", "ci.yaml"],
  });
  assert.deepEqual(place("-b", "codex", "sessions", "ls", "--json"), {
    kind: "args",
    args: ["sessions", "ls", "-b", "codex", "--json"],
  });
  assert.deepEqual(place("--config=x.yaml", "config", "path"), {
    kind: "args",
    args: ["config", "path", "--config=x.yaml"],
  });
  assert.deepEqual(place("-b", "codex", "run", "hi"), {
    kind: "args",
    args: ["run", "-b", "codex", "hi"],
  });
});

Deno.test("placeLeadingFlags() leaves prompts, --, unknown flags and plain commands alone", () => {
  for (
    const args of [
      ["-b", "codex", "fix", "the", "bug"],
      ["-b", "codex", "--", "sessions", "list"],
      ["--", "version"],
      ["sessions", "list", "--json"],
      ["--frob", "sessions", "list"],
      ["-b", "codex", "sessions list"],
      ["--ephemeral"],
      [],
    ]
  ) {
    assert.deepEqual(place(...args), { kind: "args", args }, args.join(" "));
  }
});

Deno.test("placeLeadingFlags() refuses a flag the command does not take and says how to send a prompt", () => {
  const refused = place("--ephemeral", "version");
  assert.equal(refused.kind, "refuse");
  assert.match(
    refused.kind === "refuse" ? refused.message : "",
    /"clinvk version" does not take --ephemeral/,
  );
  assert.match(refused.kind === "refuse" ? refused.hint : "", /clinvk --ephemeral -- version/);
  const json = place("-o", "json", "config", "show");
  assert.match(json.kind === "refuse" ? json.hint : "", /clinvk -o json -- 'config show'/);
  // A group name followed by words that name no command in it.
  const group = place("-b", "codex", "sessions", "of", "today");
  assert.match(group.kind === "refuse" ? group.message : "", /"sessions" is a clinvk command/);
  // `-c` means --continue for a prompt; no command takes it with that meaning.
  assert.equal(place("-c", "sessions", "list").kind, "refuse");
});

Deno.test("clinvk runs the command named after global flags, with those flags, and starts no backend", async () => {
  await withSandbox(async (sb) => {
    await sb.run(["-b", "claude", "a claude session"]);
    await sb.run(["-b", "codex", "a codex session"]);
    const calls = (await readFakeLog(sb.log)).length;
    const ci = join(sb.dir, "ci.yaml");
    await Deno.writeTextFile(ci, "output:\n  color: never\n");

    const path = await sb.run(["--config", ci, "config", "path"]);
    assert.equal(path.code, 0, path.stderr);
    assert.equal(path.stdout, `${ci}\n`);
    const listed = await sb.json<{ backend: string }[]>([
      "-b",
      "codex",
      "sessions",
      "list",
      "--json",
    ]);
    assert.deepEqual(listed.map((item) => item.backend), ["codex"]);
    const refused = await sb.run(["--ephemeral", "version"]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, "");
    assert.match(refused.stderr, /^clinvk: .*clinvk --ephemeral -- version/);

    assert.equal((await readFakeLog(sb.log)).length, calls, "no backend was started");
    const prompt = await sb.run(["-b", "codex", "--", "sessions", "list"]);
    assert.equal(prompt.code, 0, prompt.stderr);
    const after = await readFakeLog(sb.log);
    assert.equal(after.length, calls + 1, "after --, the words are a prompt");
    assert.ok(after.at(-1)!.argv.includes("sessions list"), after.at(-1)!.argv.join(" "));
  });
});
