/**
 * clinvk under Deno's permission system, as a sandboxed user runs it: the documented flags
 * (src/permissions.ts) are enough, and each one taken away gives one line naming it, exit 2.
 *
 * stdin is /dev/null and stderr a pipe here, so Deno never prompts for a permission (it only
 * asks when both are terminals): a missing one is refused at once, as in CI.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { permissionFlags } from "../../src/permissions.ts";
import { fakeBinDir, readFakeLog } from "../fixtures/fake_backends.ts";
import { type CliResult, RUN_PERMISSIONS, withSandbox } from "../support/clinvk.ts";

/** The documented flags with `flag` left out. */
function without(flag: string): string[] {
  const flags = permissionFlags().filter((f) => f !== flag);
  assert.equal(flags.length, permissionFlags().length - 1, `${flag} is not documented`);
  return flags;
}

/** Exit 2, nothing on stdout, and one `clinvk: ` line on stderr naming `flag`. */
function assertRefused(result: CliResult, flag: string) {
  assert.equal(result.code, 2, `exit code; stderr:\n${result.stderr}`);
  assert.equal(result.stdout, "");
  assert.doesNotMatch(result.stderr, /^ {4}at /m, "a stack trace was printed");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${result.stderr}`);
  assert.ok(lines[0]!.startsWith("clinvk: "), result.stderr);
  assert.ok(lines[0]!.includes(flag), `"${lines[0]}" does not name ${flag}`);
}

Deno.test("the tests' RUN_PERMISSIONS are the documented permission flags", () => {
  assert.deepEqual(RUN_PERMISSIONS, permissionFlags());
});

Deno.test("clinvk runs a prompt and lists sessions under exactly the documented flags", async () => {
  await withSandbox(async (sb) => {
    const permissions = permissionFlags();
    const prompt = await sb.run(["-b", "claude", "hello"], { permissions });
    assert.equal(prompt.code, 0, prompt.stderr);
    assert.equal(prompt.stdout, "ECHO turn=1: hello\n");
    assert.equal(prompt.stderr, "");
    const list = await sb.run(["sessions", "list", "--json"], { permissions });
    assert.equal(list.code, 0, list.stderr);
    const sessions = JSON.parse(list.stdout) as { backend: string; status: string }[];
    assert.deepEqual(sessions.map((s) => [s.backend, s.status]), [["claude", "completed"]]);
  });
});

for (const flag of ["--allow-read", "--allow-write", "--allow-env", "--allow-run"]) {
  Deno.test(`clinvk "prompt" without ${flag} names the flag in one line and exits 2`, async () => {
    await withSandbox(async (sb) => {
      const result = await sb.run(["-b", "claude", "hello"], { permissions: without(flag) });
      assertRefused(result, flag);
      assert.deepEqual(await readFakeLog(sb.log), [], "the backend ran anyway");
    });
  });
}

// Listing runs no program, so it needs every flag but --allow-run (the store's lock file is
// written even to read).
for (const flag of ["--allow-read", "--allow-write", "--allow-env"]) {
  Deno.test(`clinvk sessions list without ${flag} names the flag in one line and exits 2`, async () => {
    await withSandbox(async (sb) => {
      assertRefused(await sb.run(["sessions", "list"], { permissions: without(flag) }), flag);
    });
  });
}

Deno.test("clinvk sessions list needs no --allow-run", async () => {
  await withSandbox(async (sb) => {
    const result = await sb.run(["sessions", "list", "--json"], {
      permissions: without("--allow-run"),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), []);
  });
});

Deno.test("--allow-run=claude,codex,gemini finds the backends on PATH", async () => {
  await withSandbox(async (sb) => {
    const permissions = [...without("--allow-run"), "--allow-run=claude,codex,gemini"];
    for (const backend of ["claude", "codex", "gemini"]) {
      const result = await sb.run(["-b", backend, "hello"], { permissions });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "ECHO turn=1: hello\n");
    }
  });
});

Deno.test("--allow-run=claude refuses a backends.claude.command outside it, naming --allow-run", async () => {
  await withSandbox(async (sb) => {
    // A copy, so the configured path is not the one PATH resolves `claude` to.
    const elsewhere = join(sb.dir, "my-claude");
    await Deno.writeTextFile(
      elsewhere,
      (await Deno.readTextFile(join(fakeBinDir, "claude"))).replaceAll("${0%/*}", fakeBinDir),
    );
    await Deno.chmod(elsewhere, 0o755);
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      `backends:\n  claude:\n    command: ${elsewhere}\n`,
    );
    const narrow = [...without("--allow-run"), "--allow-run=claude,codex,gemini"];
    assertRefused(await sb.run(["-b", "claude", "hello"], { permissions: narrow }), "--allow-run");
    const withPath = [...without("--allow-run"), `--allow-run=${elsewhere}`];
    const result = await sb.run(["-b", "claude", "hello"], { permissions: withPath });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "ECHO turn=1: hello\n");
  });
});
