/**
 * `clinvk serve` as a process: the documented permissions are enough and a missing one is one
 * line; the client going away stops the backend; SIGTERM lets running streams finish, and
 * after the grace period stops them — no backend process outlives its turn.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { RUN_PERMISSIONS, withSandbox } from "../support/clinvk.ts";
import { call, waitFor } from "./harness.ts";
import { processAlive, startServeProcess } from "./serve_process.ts";

const linux = Deno.build.os === "linux";

function chatBody(prompt: string, stream = false) {
  return JSON.stringify({ model: "claude", stream, messages: [{ role: "user", content: prompt }] });
}

Deno.test("clinvk serve runs under the documented permissions and stops on SIGINT with exit 0", async () => {
  await withSandbox(async (sb) => {
    const server = await startServeProcess(sb);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await call(`${server.url}/health`);
    assert.deepEqual(health.body, { status: "ok" });
    const chat = await call(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chatBody("hello"),
    });
    assert.equal(chat.status, 200, chat.text);
    server.child.kill("SIGINT");
    assert.equal(await server.exited, 0, server.stderr());
    assert.match(server.stderr(), /POST \/v1\/chat\/completions 200 /);
    assert.match(server.stderr(), /clinvk serve: stopped\n$/);
    const list = await sb.json<{ tags: string[] }[]>(["sessions", "list", "--json"]);
    assert.equal(list.length, 1);
    assert.ok(list[0]!.tags.includes("api"));
  });
});

Deno.test("clinvk serve without the net permission for its address says so in one line, exit 2", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.home, { recursive: true });
    await Deno.writeTextFile(
      join(sb.home, "config.yaml"),
      "server:\n  api_keys:\n    k: sha256:" + "0".repeat(64) + "\n",
    );
    const result = await sb.run(["serve", "--host", "0.0.0.0", "--port", "0"]);
    assert.equal(result.code, 2, result.stderr);
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^clinvk: Permission denied: .*--allow-net/);
    assert.equal(result.stdout, "");
  });
});

Deno.test("clinvk serve refuses a non-loopback address without keys in one line, exit 2", async () => {
  await withSandbox(async (sb) => {
    const result = await sb.run(["serve", "--host", "0.0.0.0", "--port", "0"], {
      permissions: [...RUN_PERMISSIONS.slice(0, -1), "--allow-net=0.0.0.0"],
    });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^clinvk: Refusing to listen on 0\.0\.0\.0 without API keys.*keys add/,
    );
    assert.equal(result.stderr.trimEnd().split("\n").length, 1);
  });
});

Deno.test({
  name: "a client that disconnects mid-turn leaves no backend process behind",
  ignore: !linux,
  async fn() {
    await withSandbox(async (sb) => {
      const server = await startServeProcess(sb);
      for (const stream of [false, true]) {
        const client = new AbortController();
        const request = fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          signal: client.signal,
          headers: { "content-type": "application/json" },
          body: chatBody(`wait ${stream} [[fake:hang]]`, stream),
        }).catch(() => undefined);
        let pid = 0;
        await waitFor(async () => {
          const calls = await readFakeLog(sb.log);
          pid = calls.find((c) => c.argv.some((a) => a.includes(`wait ${stream}`)))?.pid ?? 0;
          return pid !== 0;
        }, "the backend to start");
        assert.ok(await processAlive(pid), `backend ${pid} runs: ${server.stderr()}`);
        client.abort();
        await request;
        await waitFor(async () => !(await processAlive(pid)), `backend ${pid} to be stopped`);
      }
      await waitFor(async () => {
        const list = await sb.json<{ status: string }[]>(["sessions", "list", "--json"]);
        return list.length === 2 && list.every((s) => s.status === "error");
      }, "both sessions to be saved as error");
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0);
      assert.match(server.stderr(), /aborted/);
    });
  },
});

Deno.test("SIGTERM lets a running stream finish, refuses new connections, then exits 0", async () => {
  await withSandbox(async (sb) => {
    const server = await startServeProcess(sb);
    const response = fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chatBody("slow [[fake:sleep=1500]]", true),
    });
    await waitFor(async () => (await readFakeLog(sb.log)).length === 1, "the backend to start");
    server.child.kill("SIGTERM");
    const answer = await response;
    const text = await answer.text();
    assert.equal(answer.status, 200);
    const content = [...text.matchAll(/^data: (\{.*\})$/gm)]
      .map((m) => JSON.parse(m[1]!).choices[0]?.delta.content ?? "").join("");
    assert.match(content, /^ECHO turn=1: slow/);
    assert.match(text, /data: \[DONE\]\n\n$/);
    assert.equal(await server.exited, 0, server.stderr());
    await assert.rejects(fetch(`${server.url}/health`));
    assert.match(server.stderr(), /SIGTERM: stopping; waiting up to 30 s for 1 running turn/);
  });
});

Deno.test({
  name: "past shutdown_grace_seconds running turns are stopped and their streams end in an error",
  ignore: !linux,
  async fn() {
    await withSandbox(async (sb) => {
      await Deno.mkdir(sb.home, { recursive: true });
      await Deno.writeTextFile(
        join(sb.home, "config.yaml"),
        "server:\n  shutdown_grace_seconds: 1\n",
      );
      const server = await startServeProcess(sb);
      const request = call(`${server.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude",
          max_tokens: 5,
          messages: [{ role: "user", content: "forever [[fake:hang]]" }],
        }),
      });
      let pid = 0;
      await waitFor(async () => {
        pid = (await readFakeLog(sb.log))[0]?.pid ?? 0;
        return pid !== 0;
      }, "the backend to start");
      server.child.kill("SIGTERM");
      const answer = await request;
      assert.equal(answer.status, 503, answer.text);
      assert.equal((answer.body as { error: { type: string } }).error.type, "api_error");
      assert.equal(await server.exited, 0);
      assert.equal(await processAlive(pid), false, "the backend was stopped");
    });
  },
});

Deno.test({
  name: "SIGHUP (a closed terminal) stops clinvk serve like SIGTERM: no backend is left running",
  ignore: !linux,
  async fn() {
    await withSandbox(async (sb) => {
      await Deno.mkdir(sb.home, { recursive: true });
      await Deno.writeTextFile(
        join(sb.home, "config.yaml"),
        "server:\n  shutdown_grace_seconds: 1\n",
      );
      const server = await startServeProcess(sb);
      const request = call(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chatBody("forever [[fake:hang]]"),
      }).catch((error) => error);
      let pid = 0;
      await waitFor(async () => {
        pid = (await readFakeLog(sb.log))[0]?.pid ?? 0;
        return pid !== 0;
      }, "the backend to start");
      try {
        server.child.kill("SIGHUP");
        assert.equal(await server.exited, 0, server.stderr());
        await request;
        assert.match(server.stderr(), /SIGHUP: stopping/);
        assert.equal(await processAlive(pid), false, "the backend outlived the server");
      } finally {
        // Before the fix the backend's group was orphaned: do not leave it to the machine.
        try {
          Deno.kill(-pid, "SIGKILL");
        } catch {
          // Already gone, as it should be.
        }
      }
    });
  },
});
