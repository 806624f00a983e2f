/**
 * Worktree isolation: a task in its own git worktree on a branch named after the run and the
 * task, kept for review, removed by `runs delete`; refused outside a repository. And
 * `compare --check` running each candidate in its own worktree.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { type Sandbox, withSandbox } from "../support/clinvk.ts";
import { onlyRun, writeRunFile } from "./helpers.ts";

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** A real repository with one commit, at `<sandbox>/repo`. */
async function makeRepo(sb: Sandbox): Promise<string> {
  const repo = join(sb.dir, "repo");
  await Deno.mkdir(join(repo, "src"), { recursive: true });
  await git(repo, "init", "-q", "-b", "main");
  await Deno.writeTextFile(join(repo, "src", "app.txt"), "hello\n");
  await git(repo, "add", ".");
  await git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init");
  return repo;
}

Deno.test("worktree: true runs the task in a new worktree on its own branch; runs delete removes both", async () => {
  await withSandbox(async (sb) => {
    const repo = await makeRepo(sb);
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - { id: edit, backend: claude, prompt: edit it, worktree: true, workdir: src }
  - { id: plain, backend: codex, prompt: look only }
`,
    );
    const result = await sb.run(["parallel", "-f", file, "-q"], { cwd: repo });
    assert.equal(result.code, 0, result.stderr);
    const run = await onlyRun(sb);
    const edit = run.tasks.find((t) => t.id === "edit")!;
    const worktree = edit.worktree!;
    assert.equal(worktree.branch, `clinvk/${run.id}/edit`);
    assert.equal(worktree.path, join(sb.home, "worktrees", run.id, "edit"));
    const calls = await readFakeLog(sb.log);
    const editCall = calls.find((c) => c.cli === "claude")!;
    assert.equal(editCall.cwd, join(worktree.path, "src"), "the backend ran in the worktree");
    assert.equal(calls.find((c) => c.cli === "codex")!.cwd, repo, "other tasks stay in place");
    assert.equal(await Deno.readTextFile(join(worktree.path, "src", "app.txt")), "hello\n");
    assert.match(await git(repo, "worktree", "list"), new RegExp(worktree.path));
    assert.match(await git(repo, "branch", "--list", worktree.branch), /clinvk\//);
    // The session lives in the worktree, so it resumes there.
    const resumed = await sb.run(["resume", edit.session_id!, "more"]);
    assert.equal(resumed.stdout, "ECHO turn=2: more\n");

    const deleted = await sb.run(["runs", "delete", run.id]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stderr, /1 worktree removed/);
    await assert.rejects(Deno.stat(worktree.path), Deno.errors.NotFound);
    assert.doesNotMatch(await git(repo, "worktree", "list"), new RegExp(worktree.path));
    assert.equal((await git(repo, "branch", "--list", worktree.branch)).trim(), "");
    const listed = await sb.run(["runs", "list"]);
    assert.match(listed.stderr, /No runs/);
  });
});

Deno.test("runs delete keeps a worktree with uncommitted changes unless --force", async () => {
  await withSandbox(async (sb) => {
    const repo = await makeRepo(sb);
    const file = await writeRunFile(sb, "t.yaml", `tasks:\n  - { prompt: edit, worktree: true }\n`);
    assert.equal(
      (await sb.run(["parallel", "-f", file, "-q", "-b", "codex"], { cwd: repo })).code,
      0,
    );
    const run = await onlyRun(sb);
    const path = run.tasks[0]!.worktree!.path;
    await Deno.writeTextFile(join(path, "new.txt"), "work in progress\n");
    const refused = await sb.run(["runs", "delete", run.id]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /has uncommitted changes.*--force/);
    assert.ok((await Deno.stat(path)).isDirectory, "nothing was removed");
    assert.equal((await onlyRun(sb)).id, run.id, "the run record is kept too");
    const forced = await sb.run(["runs", "delete", run.id, "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  });
});

Deno.test("a worktree outside a git repository is refused before anything runs", async () => {
  await withSandbox(async (sb) => {
    const plain = join(sb.dir, "plain");
    await Deno.mkdir(plain);
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:\n  - { id: w, prompt: x, worktree: true }\n`,
    );
    const result = await sb.run(["parallel", "-f", file], { cwd: plain });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr.trim(),
      `clinvk: Task "w" asks for a worktree, but ${plain} is not inside a git repository. ` +
        "Run it from a repository (git init), or drop worktree: true.",
    );
    assert.deepEqual(await readFakeLog(sb.log), []);
  });
});

Deno.test("compare --check runs every candidate in its own worktree and reports pass@k", async () => {
  await withSandbox(async (sb) => {
    const repo = await makeRepo(sb);
    const result = await sb.run([
      "compare",
      "make the tests pass",
      "--backends",
      "claude,codex",
      "--n",
      "2",
      "--check",
      "test -f src/app.txt && pwd >> ../../checks.log",
      "--json",
    ], { cwd: repo });
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout);
    assert.equal(out.prompt, "make the tests pass");
    assert.deepEqual(out.backends, ["claude", "codex"]);
    assert.deepEqual(out.results.map((r: { task_id: string }) => r.task_id), [
      "claude-1",
      "claude-2",
      "codex-1",
      "codex-2",
    ]);
    assert.deepEqual(out.pass_at_k, {
      claude: { passed: 2, total: 2 },
      codex: { passed: 2, total: 2 },
    });
    const dirs = new Set((await readFakeLog(sb.log)).map((call) => call.cwd));
    assert.equal(dirs.size, 4, "each candidate worked in a directory of its own");
    for (const r of out.results) {
      assert.equal(r.check.passed, true);
      assert.ok(dirs.has(r.worktree.path), "the backend ran in the candidate's worktree");
    }
    const checked = (await Deno.readTextFile(join(sb.home, "worktrees", "checks.log"))).trim()
      .split("\n");
    assert.equal(checked.length, 4, "the check ran once in every worktree");
  });
});

Deno.test("compare --check fails the candidates whose check fails", async () => {
  await withSandbox(async (sb) => {
    const repo = await makeRepo(sb);
    const result = await sb.run(
      ["compare", "x", "--backends", "gemini", "--check", "echo broken >&2; exit 3", "--json"],
      { cwd: repo },
    );
    assert.equal(result.code, 1);
    const [candidate] = JSON.parse(result.stdout).results;
    assert.equal(candidate.state, "failed");
    assert.deepEqual(
      [candidate.check.exit_code, candidate.check.passed, candidate.check.output.trim()],
      [3, false, "broken"],
    );
    assert.match(candidate.error, /check failed \(exit 3\)/);
  });
});
