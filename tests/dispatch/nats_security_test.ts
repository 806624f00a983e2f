/**
 * Security of runs across machines, against real servers: user and password, a token, an nkey
 * seed file and TLS with a private CA (each refused without, with one clear line and exit 7);
 * credentials never shown or recorded; a task outside the worker's allowed roots refused and
 * never run; and nothing of the coordinator's config (API keys) sent to workers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { connect, nkeys } from "@nats-io/transport-node";
import { onlyRun } from "../runs/helpers.ts";
import { promptsRun, runFile, withCluster } from "./harness.ts";

const TASKS = 'tasks:\n  - { id: t, backend: claude, prompt: "hello" }\n';

Deno.test("user and password from config or environment; refused without them (exit 7), never recorded", async () => {
  await withCluster(async ({ sb, nats, worker, run }) => {
    await Deno.writeTextFile(
      join(sb.home, "..", "coordinator.yaml"),
      'nats:\n  user: alice\n  password: "${NATS_PASS}"\n',
    );
    const w1 = await worker("w1", { config: "nats:\n  user: alice\n  password: s3cret\n" });
    const file = await runFile(sb, "tasks.yaml", TASKS);
    const config = join(sb.home, "..", "coordinator.yaml");

    const refused = await run(["parallel", "-f", file, "--dispatch", nats.url]);
    assert.equal(refused.code, 7);
    assert.match(
      refused.stderr,
      /^clinvk: Cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: the server refused the connection without credentials\. Set nats\.user/,
    );
    assert.equal(refused.stderr.trim().split("\n").length, 1);

    const ok = await run(
      ["parallel", "-f", file, "--dispatch", nats.url, "--config", config, "--json", "-q"],
      { NATS_PASS: "s3cret" },
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(await promptsRun(w1), ["hello"]);

    // Credentials in the address work too, and are never written down.
    const inUrl = nats.url.replace("nats://", "nats://alice:s3cret@");
    const again = await run(["parallel", "-f", file, "--dispatch", inUrl, "--json", "-q"]);
    assert.equal(again.code, 0, again.stderr);
    for await (const entry of Deno.readDir(join(sb.home, "runs"))) {
      if (!entry.name.endsWith(".json")) continue;
      const text = await Deno.readTextFile(join(sb.home, "runs", entry.name));
      assert.ok(!text.includes("s3cret"), "the password is not in the run record");
    }
    const shown = await run(["config", "show", "--config", config], { NATS_PASS: "s3cret" });
    assert.ok(!shown.stdout.includes("s3cret"), shown.stdout);
    assert.match(shown.stdout, /password: "?\*{8}"?/);

    const wrong = await run(
      ["parallel", "-f", file, "--dispatch", nats.url, "--config", config],
      { NATS_PASS: "nope" },
    );
    assert.equal(wrong.code, 7);
    assert.match(wrong.stderr, /the server refused the user credentials/);
  }, ["--user", "alice", "--pass", "s3cret"]);
});

Deno.test("a token from the environment, and an nkey seed file", async () => {
  await withCluster(async ({ sb, nats, worker, run }) => {
    const w1 = await worker("w1", { config: "nats:\n  token: t0k3n\n" });
    const file = await runFile(sb, "tasks.yaml", TASKS);
    const ok = await run(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"], {
      CLINVK_NATS_TOKEN: "t0k3n",
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(await promptsRun(w1), ["hello"]);
    const refused = await run(["worker", "list", "--nats", nats.url]);
    assert.equal(refused.code, 7);
  }, ["--auth", "t0k3n"]);

  const user = nkeys.createUser();
  const seedDir = await Deno.makeTempDir({ prefix: "clinvk-nkey-" });
  try {
    const seedFile = join(seedDir, "user.nk");
    await Deno.writeTextFile(seedFile, new TextDecoder().decode(user.getSeed()) + "\n");
    const conf = join(seedDir, "server.conf");
    await Deno.writeTextFile(
      conf,
      `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }\n`,
    );
    await withCluster(async ({ sb, nats, worker, run }) => {
      const w1 = await worker("w1", { config: `nats:\n  nkey_file: ${seedFile}\n` });
      const file = await runFile(sb, "tasks.yaml", TASKS);
      const ok = await run(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"], {
        CLINVK_NATS_NKEY: seedFile,
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(await promptsRun(w1), ["hello"]);
      const missing = await run(["worker", "list", "--nats", nats.url], {
        CLINVK_NATS_NKEY: join(seedDir, "missing.nk"),
      });
      assert.equal(missing.code, 2);
      assert.match(
        missing.stderr,
        /Cannot read the NATS nkey seed file .*missing\.nk: no such file/,
      );
    }, ["-c", conf]);
  } finally {
    await Deno.remove(seedDir, { recursive: true });
  }
});

async function openssl(cwd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

Deno.test("tls:// with the CA in nats.tls_ca_file; without it the certificate is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clinvk-tls-" });
  try {
    await openssl(dir, [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=clinvk test CA",
    ]);
    await openssl(dir, [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=127.0.0.1",
    ]);
    await Deno.writeTextFile(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "san.ext",
    ]);
    const ca = join(dir, "ca.pem");
    await withCluster(async ({ sb, nats, worker, run }) => {
      const url = nats.url.replace("nats://", "tls://");
      const config = `nats:\n  tls_ca_file: ${ca}\n`;
      await Deno.writeTextFile(join(sb.dir, "coordinator.yaml"), config);
      const untrusted = await run(["worker", "list", "--nats", url]);
      assert.equal(untrusted.code, 7);
      assert.match(
        untrusted.stderr,
        /^clinvk: Cannot connect to NATS at tls:\/\/127\.0\.0\.1:\d+: TLS failed/,
      );
      const w1 = await worker("w1", { url, config });
      const file = await runFile(sb, "tasks.yaml", TASKS);
      const ok = await run([
        "parallel",
        "-f",
        file,
        "--dispatch",
        url,
        "--config",
        join(sb.dir, "coordinator.yaml"),
        "--json",
        "-q",
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(await promptsRun(w1), ["hello"]);
      assert.deepEqual((await onlyRun(sb)).dispatch, { url });
    }, ["--tls", "--tlscert", join(dir, "server.pem"), "--tlskey", join(dir, "server.key")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a task outside the worker's allowed roots is refused and never run; nothing of the coordinator's config reaches the worker", async () => {
  await withCluster(async ({ sb, nats, worker, run }) => {
    const allowed = join(sb.work, "allowed");
    const other = join(sb.work, "other");
    await Deno.mkdir(allowed);
    await Deno.mkdir(other);
    await Deno.symlink(other, join(allowed, "escape"));
    const w1 = await worker("w1", { config: `  allowed_roots: ["${allowed}"]\n` });
    assert.match(w1.stderr.text, new RegExp(`workdirs +${allowed} \\(and below\\)`));
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      'backends:\n  claude:\n    env:\n      ANTHROPIC_API_KEY: "${SECRET_KEY}"\n',
    );
    const file = await runFile(
      sb,
      "tasks.yaml",
      "tasks:\n" +
        '  - { id: inside, backend: claude, workdir: allowed, prompt: "inside" }\n' +
        '  - { id: outside, backend: claude, workdir: other, prompt: "outside" }\n' +
        '  - { id: link, backend: claude, workdir: allowed/escape, prompt: "through a link" }\n',
    );
    const nc = await connect({ servers: `127.0.0.1:${nats.port}` });
    const seen: string[] = [];
    const sub = nc.subscribe("clinvk.tasks.>", { callback: (_e, m) => void seen.push(m.string()) });
    try {
      const result = await run(["parallel", "-f", file, "--dispatch", nats.url, "--json", "-q"], {
        SECRET_KEY: "sk-ant-secret-123",
      });
      assert.equal(result.code, 1, result.stderr);
      await nc.flush();
    } finally {
      sub.unsubscribe();
      await nc.close();
    }
    const record = await onlyRun(sb);
    const byId = new Map(record.tasks.map((t) => [t.id, t]));
    assert.equal(byId.get("inside")!.state, "done");
    for (const id of ["outside", "link"]) {
      const task = byId.get(id)!;
      assert.equal(task.state, "failed");
      assert.equal(task.exit_code, 2);
      assert.match(
        task.error!,
        /worker w1 refused the task: its workdir .* is not under this worker's allowed roots/,
      );
    }
    // The link is followed (here by the coordinator, which sends real paths): it leads out.
    assert.match(byId.get("link")!.error!, new RegExp(`its workdir ${other} is not under`));
    assert.deepEqual(await promptsRun(w1), ["inside"], "refused tasks never reach a backend");
    assert.equal(seen.length, 3);
    for (const message of seen) {
      assert.ok(!message.includes("sk-ant-secret"), "no API key in a task message");
      assert.deepEqual(Object.keys(JSON.parse(message).env), ["CLINVK_RUN_DEPTH"]);
    }
  });
});
