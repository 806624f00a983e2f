/**
 * The pure pieces of runs across machines: reading NATS addresses, reading task messages
 * (what a worker accepts, and the environment it lets through), job keys, cutting an answer to
 * fit a message, and masking NATS secrets in `config show`.
 */
import assert from "node:assert/strict";
import { expandConfig } from "../../src/config/expand.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { findSecrets, MASK, maskSecrets } from "../../src/config/secrets.ts";
import { parseJob } from "../../src/dispatch/nats/messages.ts";
import { netPermission, parseNatsUrl } from "../../src/dispatch/nats/nats_url.ts";
import { consumerName, jobKey, taskSubject } from "../../src/dispatch/nats/subjects.ts";
import { fitOutcome } from "../../src/dispatch/nats/held_claim.ts";
import { ClinvkError } from "../../src/errors.ts";
import { isStraySocketError } from "../../src/platform/stray_socket_errors.ts";
import type { TaskJob, TaskOutcome } from "../../src/runs/dispatcher.ts";

Deno.test("parseNatsUrl() takes credentials out of the address and defaults the port", () => {
  const plain = parseNatsUrl("nats://10.0.0.5");
  assert.deepEqual(plain.servers, ["10.0.0.5:4222"]);
  assert.equal(plain.tls, false);
  assert.equal(plain.display, "nats://10.0.0.5:4222");

  const secret = parseNatsUrl("tls://alice:p%40ss@nats.example.com:7422");
  assert.equal(secret.tls, true);
  assert.equal(secret.user, "alice");
  assert.equal(secret.pass, "p@ss");
  assert.equal(secret.display, "tls://nats.example.com:7422");
  assert.ok(!secret.display.includes("p@ss"));

  assert.equal(parseNatsUrl("nats://s3cr3t@host").token, "s3cr3t");
  assert.equal(parseNatsUrl("host:4333").display, "nats://host:4333");
  const cluster = parseNatsUrl("nats://a:1,nats://b:2");
  assert.deepEqual(cluster.servers, ["a:1", "b:2"]);
  assert.deepEqual(netPermission(cluster), ["a", "b"], "a name is allowed without its port");
  assert.deepEqual(netPermission(parseNatsUrl("10.0.0.5,nats://[::1]:7")), [
    "10.0.0.5:4222",
    "[::1]:7",
  ]);
  assert.deepEqual(parseNatsUrl("nats://[::1]:4222").hosts, ["::1"]);
});

Deno.test("parseNatsUrl() refuses other schemes, paths, bad ports and mixed TLS (exit 2)", () => {
  for (
    const bad of [
      "http://host:4222",
      "nats://host:4222/x",
      "nats://host:99999",
      "",
      "nats://a,tls://b",
    ]
  ) {
    assert.throws(() => parseNatsUrl(bad), (error: unknown) => {
      assert.ok(error instanceof ClinvkError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^Invalid NATS address/);
      return true;
    }, bad);
  }
});

function job(overrides: Partial<TaskJob> = {}): TaskJob {
  return {
    job_id: "run1.t.1",
    run_id: "run1",
    task_id: "t",
    attempt: 1,
    backend: "claude",
    target: { kind: "new", backend: "claude", workdir: "/src", tags: [] },
    prompt: "hi",
    env: { CLINVK_RUN_DEPTH: "1" },
    ...overrides,
  };
}

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

Deno.test("parseJob() lets only the nesting counter through of a job's environment", () => {
  const parsed = parseJob(bytes(job({
    env: { CLINVK_RUN_DEPTH: "2", PATH: "/evil", ANTHROPIC_API_KEY: "sk-x", LD_PRELOAD: "x.so" },
  })));
  assert.ok(typeof parsed !== "string", String(parsed));
  assert.deepEqual(parsed.env, { CLINVK_RUN_DEPTH: "2" });
  const odd = parseJob(bytes(job({ env: { CLINVK_RUN_DEPTH: "1; rm -rf /" } })));
  assert.ok(typeof odd !== "string");
  assert.deepEqual(odd.env, {});
});

Deno.test("parseJob() drops the coordinator's --force: a worker keeps its own budgets", () => {
  const parsed = parseJob(bytes(job({ force: true })));
  assert.ok(typeof parsed !== "string", String(parsed));
  assert.equal(parsed.force, undefined);
});

Deno.test("parseJob() refuses what is not a clinvk task", () => {
  assert.equal(parseJob(new TextEncoder().encode("hello")), "not JSON");
  assert.match(parseJob(bytes({ job_id: "x" })) as string, /run_id/);
  assert.match(parseJob(bytes(job({ job_id: "run1.other.1" }))) as string, /does not match/);
  assert.match(
    parseJob(bytes(job({ task_id: "../x", job_id: "run1.../x.1" }))) as string,
    /task_id/,
  );
  const target = { kind: "shell", command: "rm" } as unknown as TaskJob["target"];
  assert.match(parseJob(bytes(job({ target }))) as string, /target/);
});

Deno.test("jobKey() keeps every task id one key token; consumer names have no dots", () => {
  assert.equal(jobKey("run1", "build.linux", 3), "run1.build=linux.3");
  assert.notEqual(jobKey("r", "a.b", 1), jobKey("r", "a", 1));
  assert.equal(consumerName(taskSubject("claude", "gpu")), "claude_gpu");
  assert.equal(consumerName("clinvk.tasks.worker.w-1"), "worker_w-1");
});

Deno.test("fitOutcome() cuts an answer too large for one message and says where the rest is", () => {
  const outcome = {
    content: "é".repeat(3000),
    session_id: "abc",
    worker: "w1",
  } as TaskOutcome;
  assert.equal(fitOutcome(outcome, 10_000), outcome);
  const cut = fitOutcome(outcome, 1001);
  assert.ok(cut.content.startsWith("é".repeat(500)));
  assert.ok(!cut.content.includes("\uFFFD"), "no broken character at the cut");
  assert.match(cut.content, /\[clinvk: answer cut at 1001 bytes .* session abc on worker w1\]$/);
});

Deno.test("maskSecrets() hides nats.password and nats.token however they were written", () => {
  const raw = defaultConfig();
  raw.nats = { user: "alice", password: "${PASS}", token: "plain-token" };
  const expanded = expandConfig(raw, { get: (name) => (name === "PASS" ? "s3cret" : undefined) });
  const masked = maskSecrets(expanded, findSecrets(raw));
  assert.deepEqual(masked.nats, { user: "alice", password: MASK, token: MASK });
  assert.equal(expanded.nats!.password, "s3cret", "the config itself is untouched");
});

Deno.test("isStraySocketError() drops only late resets of a closed socket", () => {
  const reset = Object.assign(new Error("read ECONNRESET"), {
    code: "ECONNRESET",
    syscall: "read",
  });
  const pipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE", syscall: "write" });
  assert.ok(isStraySocketError(reset));
  assert.ok(isStraySocketError(pipe));
  const refused = Object.assign(new Error("connect"), { code: "ECONNREFUSED", syscall: "connect" });
  assert.ok(!isStraySocketError(refused));
  assert.ok(!isStraySocketError(new Error("read ECONNRESET")), "a bug that only looks like one");
  assert.ok(!isStraySocketError(new TypeError("x is undefined")));
  assert.ok(!isStraySocketError(undefined));
});
