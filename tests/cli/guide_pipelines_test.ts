/**
 * The user's guide's own shell pipelines (SPEC §11), run verbatim through bash and jq against a
 * store holding sessions of all three backends.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { withFakeEnv } from "../fixtures/fake_backends.ts";
import { RUN_PERMISSIONS } from "../support/clinvk.ts";
import { repoRoot } from "../support/clinvk.ts";

const HOUR = 3_600_000;

/** A `clinvk` executable on PATH that runs this checkout. */
async function installWrapper(binDir: string): Promise<void> {
  await Deno.mkdir(binDir, { recursive: true });
  const path = join(binDir, "clinvk");
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\nexec "${Deno.execPath()}" run --quiet --config "${join(repoRoot, "deno.json")}" ${
      RUN_PERMISSIONS.join(" ")
    } "${join(repoRoot, "src", "main.ts")}" "$@"\n`,
  );
  await Deno.chmod(path, 0o755);
}

/** A session file written directly, as a user restoring a backup would. */
function backupRecord(id: string, createdAt: string) {
  return {
    id,
    backend: "codex",
    backend_session_id: "01a20b33-5730-7563-b936-d70a82068ace",
    model: "gpt-5.5",
    status: "completed",
    created_at: createdAt,
    last_used_at: createdAt,
    workdir: "/projects/myapp",
    prompt: "implement user registration",
    token_usage: { input: 5000, output: 678, cached: 0, total: 5678 },
    tags: [],
    turn_count: 1,
    metadata: { exit_code: 0, duration_seconds: 2.5 },
    schema_version: 1,
  };
}

Deno.test("the guide's shell pipelines give the right answers", async () => {
  await withFakeEnv(async (sb) => {
    const bin = join(sb.dir, "bin");
    await installWrapper(bin);
    // No CLINVK_HOME: the guide's `~/.clinvk/sessions/*.json` must be where clinvk writes.
    const env = { ...sb.env, PATH: `${bin}:${sb.env.PATH}`, USER: "ada" };
    const sh = async (script: string) => {
      const out = await new Deno.Command("bash", {
        args: ["-c", script],
        cwd: sb.work,
        env,
        clearEnv: true,
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, `${script}\n${new TextDecoder().decode(out.stderr)}`);
      return text;
    };

    await sh(`clinvk config set session.default_tags '["project-x", "feature-y"]'`);
    const auth = JSON.parse(await sh(`clinvk -b claude -o json "fix the bug in auth.go"`));
    const codex = JSON.parse(await sh(`clinvk -b codex -o json "implement user registration"`));
    const gemini = JSON.parse(await sh(`clinvk -b gemini -o json "explain algorithm"`));
    const sessions = join(env.HOME, ".clinvk", "sessions");
    await Deno.writeTextFile(
      join(sessions, "old0000001.json"),
      JSON.stringify(backupRecord("old0000001", "2025-01-27T10:00:00Z"), null, 2),
    );

    assert.equal(
      await sh(
        `clinvk sessions show ${auth.session_id} > /dev/null 2>&1 && echo "Exists" || echo "Not found"`,
      ),
      "Exists\n",
    );
    assert.equal(
      await sh(`clinvk sessions show abc123 > /dev/null 2>&1 && echo "Exists" || echo "Not found"`),
      "Not found\n",
    );
    assert.equal(
      await sh(`clinvk sessions show ${codex.session_id} --json | jq '.status'`),
      '"completed"\n',
    );

    const withAuth = await sh(
      `clinvk sessions list --json | jq -c '.[] | select(.prompt | contains("auth"))'`,
    );
    assert.deepEqual(withAuth.trim().split("\n").map((l) => JSON.parse(l).id), [auth.session_id]);

    const recent = await sh(
      `clinvk sessions list --json | jq -c '.[] | select(.last_used > (now - 86400 | todate))' | jq -r .id`,
    );
    assert.deepEqual(
      recent.trim().split("\n").sort(),
      [auth.session_id, codex.session_id, gemini.session_id].sort(),
    );

    assert.equal(
      await sh(
        `clinvk sessions list --json | jq -r '.[] | select(.created_at | startswith("2025-01-27")) | .id'`,
      ),
      "old0000001\n",
    );

    const totals = [auth, codex, gemini].map((o) => o.token_usage.total as number);
    const sum = totals.reduce((a, b) => a + b, 0) + 5678;
    assert.equal(
      await sh(`clinvk sessions list --json | jq '[.[].token_usage.total] | add'`),
      `${sum}\n`,
    );

    const byBackend = JSON.parse(
      await sh(
        `clinvk sessions list --json | jq -c 'group_by(.backend) | map({backend: .[0].backend, total: [.[].token_usage.total] | add})'`,
      ),
    );
    assert.deepEqual(byBackend, [
      { backend: "claude", total: totals[0] },
      { backend: "codex", total: totals[1]! + 5678 },
      { backend: "gemini", total: totals[2] },
    ]);

    const tags = JSON.parse(
      await sh(`clinvk sessions show ${auth.session_id} --json | jq -c .tags`),
    );
    assert.deepEqual(tags, ["project-x", "feature-y"]);

    await Deno.writeTextFile(join(sessions, "broken0001.json"), "{ not json");
    const invalid = await sh(
      `for f in ~/.clinvk/sessions/*.json; do jq empty "$f" 2>/dev/null || echo "Invalid: $f"; done`,
    );
    assert.equal(invalid, `Invalid: ${join(sessions, "broken0001.json")}\n`);
    await Deno.remove(join(sessions, "broken0001.json"));

    await sh(
      `clinvk sessions list --status completed --json | jq -r '.[].id' | xargs -I {} clinvk sessions delete {}`,
    );
    assert.equal(await sh(`clinvk sessions list --json | jq length`), "0\n");
  });
});

Deno.test("default_tags from config.yaml expand ${USER}", async () => {
  await withFakeEnv(async (sb) => {
    const bin = join(sb.dir, "bin");
    await installWrapper(bin);
    const home = join(sb.env.HOME, ".clinvk");
    await Deno.mkdir(home, { recursive: true });
    await Deno.writeTextFile(
      join(home, "config.yaml"),
      'session:\n  default_tags:\n    - "clinvk"\n    - "${USER}"\n',
    );
    const out = await new Deno.Command("bash", {
      args: [
        "-c",
        `clinvk -b gemini -o json "hi" | jq -r .session_id | xargs -I {} clinvk sessions show {} --json | jq -c .tags`,
      ],
      cwd: sb.work,
      env: { ...sb.env, PATH: `${bin}:${sb.env.PATH}`, USER: "ada" },
      clearEnv: true,
      stdin: "null",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout), '["clinvk","ada"]\n');
  });
});

// Keep the sanity of the clock assumption the "last 24 hours" pipeline relies on visible.
Deno.test("the backup record of the pipeline test is older than a day", () => {
  assert.ok(Date.now() - Date.parse("2025-01-27T10:00:00Z") > 24 * HOUR);
});
