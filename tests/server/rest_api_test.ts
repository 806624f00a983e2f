/**
 * clinvk's own REST API (`/api/v1`) and the operations endpoints: prompt (JSON and NDJSON),
 * sessions, fork, backends, health, readiness, metrics, request ids, the request log and the
 * OpenAPI document generated from the validating schemas.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { call, requestLog, withServer } from "./harness.ts";

type Result = { session_id: string; content: string; exit_code: number; status: string };

Deno.test("POST /api/v1/prompt answers like clinvk -o json, and streams like -o stream-json", async () => {
  await withServer(async ({ url }) => {
    const first = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "hello", backend: "gemini", model: "fast", tags: ["nightly"], title: "T" },
    });
    assert.equal(first.status, 200, first.text);
    const result = first.body as Result;
    assert.equal(result.content, "ECHO turn=1: hello");
    assert.equal(result.exit_code, 0);
    assert.equal(first.headers.get("x-clinvk-session"), result.session_id);

    const streamed = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "again", session_id: result.session_id, stream: true },
    });
    assert.match(streamed.headers.get("content-type") ?? "", /^application\/x-ndjson/);
    const lines = streamed.text.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(lines[0].type, "init");
    assert.equal(lines[0].session_id, result.session_id);
    assert.ok(lines.some((l) => l.type === "message"));
    const done = lines.at(-1);
    assert.equal(done.type, "done");
    assert.equal(done.status, "completed");

    const session = await call(`${url}/api/v1/sessions/${result.session_id.slice(0, 6)}`);
    assert.equal(session.status, 200);
    const record = session.body as {
      turn_count: number;
      tags: string[];
      title: string;
      model: string;
    };
    assert.equal(record.turn_count, 2);
    assert.deepEqual(record.tags, ["api", "nightly"]);
    assert.equal(record.title, "T");
    assert.equal(record.model, "gemini-2.5-flash-lite");
  });
});

Deno.test("a failed REST turn has its error's status, the error object and the turn's result", async () => {
  await withServer(async ({ url }) => {
    const failed = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "x [[fake:error=401]]", backend: "codex" },
    });
    assert.equal(failed.status, 502);
    const body = failed.body as { error: { code: string; message: string }; result: Result };
    assert.equal(body.error.code, "backend_auth");
    assert.equal(body.result.status, "error");
    assert.notEqual(body.result.exit_code, 0);
  });
});

Deno.test("GET/DELETE /api/v1/sessions and POST …/fork work like the sessions commands", async () => {
  await withServer(async ({ url, sb }) => {
    const a = (await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "a", backend: "claude" },
    }))
      .body as Result;
    const b = (await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "b", backend: "codex" },
    }))
      .body as Result;
    const all = await call(`${url}/api/v1/sessions`);
    assert.deepEqual((all.body as { id: string }[]).map((s) => s.id), [b.session_id, a.session_id]);
    const codex = await call(`${url}/api/v1/sessions?backend=codex&tag=api&limit=5`);
    assert.deepEqual((codex.body as { id: string; last_used: string }[]).map((s) => s.id), [
      b.session_id,
    ]);
    assert.ok(
      (codex.body as { last_used: string }[])[0]!.last_used,
      "the guide's short fields too",
    );
    const badStatus = await call(`${url}/api/v1/sessions?status=nope`);
    assert.equal(badStatus.status, 400);

    const fork = await call(`${url}/api/v1/sessions/${a.session_id}/fork`, {
      method: "POST",
      json: { prompt: "branch" },
    });
    assert.equal(fork.status, 200, fork.text);
    const forked = fork.body as Result;
    assert.notEqual(forked.session_id, a.session_id);
    assert.equal(forked.content, "ECHO turn=2: branch");
    const record = (await call(`${url}/api/v1/sessions/${forked.session_id}`)).body as {
      parent_id: string;
    };
    assert.equal(record.parent_id, a.session_id);
    assert.ok((await readFakeLog(sb.log)).at(-1)!.argv.includes("--fork-session"));

    const deleted = await call(`${url}/api/v1/sessions/${b.session_id}`, { method: "DELETE" });
    assert.equal(deleted.status, 204);
    const gone = await call(`${url}/api/v1/sessions/${b.session_id}`);
    assert.equal(gone.status, 404);
    assert.equal((gone.body as { error: { code: string } }).error.code, "session_not_found");
  });
});

Deno.test("POST …/fork without a prompt makes the fork as clinvk sessions fork <id> does", async () => {
  await withServer(async ({ url, sb }) => {
    const parent = (await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "a", backend: "claude" },
    })).body as Result & { backend_session_id: string };
    const ran = (await readFakeLog(sb.log)).length;

    const made = await call(`${url}/api/v1/sessions/${parent.session_id}/fork`, {
      method: "POST",
      json: { model: "claude:fast", tags: ["try"] },
    });
    assert.equal(made.status, 201, made.text);
    type Record = {
      id: string;
      parent_id: string;
      backend_session_id: string | null;
      status: string;
      turn_count: number;
      tags: string[];
      metadata: { fork_of?: string; requested_model?: string };
    };
    const fork = made.body as Record;
    assert.equal(made.headers.get("x-clinvk-session"), fork.id);
    assert.notEqual(fork.id, parent.session_id);
    assert.equal(fork.parent_id, parent.session_id);
    assert.equal(fork.backend_session_id, null);
    assert.equal(fork.turn_count, 0);
    assert.equal(fork.metadata.fork_of, parent.backend_session_id);
    assert.equal(fork.metadata.requested_model, "haiku", "the alias resolved for its backend");
    assert.deepEqual(fork.tags, ["api", "try"]);
    assert.equal((await readFakeLog(sb.log)).length, ran, "no backend ran for the fork alone");

    // Its first prompt forks the backend session; the parent is untouched.
    const turn = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "branch", session_id: fork.id },
    });
    assert.equal(turn.status, 200, turn.text);
    assert.equal((turn.body as Result).content, "ECHO turn=2: branch");
    const argv = (await readFakeLog(sb.log)).at(-1)!.argv;
    assert.ok(argv.includes("--fork-session"), argv.join(" "));
    assert.equal(argv[argv.indexOf("--resume") + 1], parent.backend_session_id);
    assert.equal(argv[argv.indexOf("--model") + 1], "haiku");
    const after = (await call(`${url}/api/v1/sessions/${parent.session_id}`)).body as Record;
    assert.equal(after.turn_count, 1);

    // A fork whose own first turn has not run has no backend session to copy yet. (The path
    // takes a unique prefix, as GET /api/v1/sessions/{id} does.)
    const made2 = await call(`${url}/api/v1/sessions/${parent.session_id.slice(0, 6)}/fork`, {
      method: "POST",
      json: {},
    });
    assert.equal(made2.status, 201, made2.text);
    const pending = await call(`${url}/api/v1/sessions/${(made2.body as Record).id}/fork`, {
      method: "POST",
      json: {},
    });
    assert.equal(pending.status, 404, pending.text);
    assert.match(
      (pending.body as { error: { message: string } }).error.message,
      /cannot be forked: it has no backend session to copy yet/,
    );
    const streamed = await call(`${url}/api/v1/sessions/${parent.session_id}/fork`, {
      method: "POST",
      json: { stream: true },
    });
    assert.equal(streamed.status, 400, streamed.text);
    const missing = await call(`${url}/api/v1/sessions/nosuchsess1/fork`, {
      method: "POST",
      json: {},
    });
    assert.equal(missing.status, 404, missing.text);
  });
});

Deno.test("a server turn is in its session's history; a used-up daily budget is 429 budget_exceeded", async () => {
  await withServer(async ({ url, sb, store }) => {
    const first = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "a", backend: "claude" },
    });
    assert.equal(first.status, 200, first.text);
    const result = first.body as Result & { token_usage: { total: number } };
    const turns = await store.turns(result.session_id);
    assert.deepEqual(turns.map((t) => [t.n, t.prompt, t.answer, t.usage.total]), [
      [1, "a", "ECHO turn=1: a", result.token_usage.total],
    ]);

    for (
      const [path, json] of [
        ["/api/v1/prompt", { prompt: "b", session_id: result.session_id }],
        ["/v1/chat/completions", { model: "claude", messages: [{ role: "user", content: "c" }] }],
      ] as const
    ) {
      const refused = await call(`${url}${path}`, { method: "POST", json });
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.headers.get("x-should-retry"), "false");
      const error = (refused.body as { error: { code: string; message: string } }).error;
      assert.equal(error.code, "budget_exceeded");
      assert.match(error.message, /daily token budget is used up/);
    }
    assert.equal((await readFakeLog(sb.log)).length, 1, "no backend ran after the first turn");
  }, { configure: (config) => void (config.session.budget.daily_tokens = 1) });
});

Deno.test("GET /api/v1/backends and /ready say which backends are installed", async () => {
  await withServer(async ({ url }) => {
    const backends = await call(`${url}/api/v1/backends`);
    const list = backends.body as {
      name: string;
      available: boolean;
      aliases: Record<string, string>;
    }[];
    assert.deepEqual(list.map((b) => [b.name, b.available]), [["claude", true], ["codex", true], [
      "gemini",
      false,
    ]]);
    assert.equal(list[0]!.aliases.fast, "haiku");
    const ready = await call(`${url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual((ready.body as { backends: object }).backends, {
      claude: true,
      codex: true,
      gemini: false,
    });
    const models = await call(`${url}/v1/models`);
    const ids = (models.body as { data: { id: string }[] }).data.map((m) => m.id);
    assert.ok(ids.includes("codex:best") && !ids.some((id) => id.startsWith("gemini")));
    assert.ok(ids.includes("claude-sonnet-4-5"), "a concrete model from config is listed");
  }, {
    configure: (config, sb) => {
      config.backends.gemini.command = join(sb.dir, "not-installed");
      config.backends.claude.model = "claude-sonnet-4-5";
    },
  });
});

Deno.test("/ready is 503 when the default backend is missing", async () => {
  await withServer(async ({ url }) => {
    const ready = await call(`${url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal((ready.body as { ready: boolean }).ready, false);
    assert.equal((ready.body as { store: { writable: boolean } }).store.writable, true);
  }, { configure: (config, sb) => void (config.backends.claude.command = join(sb.dir, "none")) });
});

Deno.test("every response echoes X-Request-Id and gets one log line; metrics count it", async () => {
  await withServer(async ({ url, logs }) => {
    const mine = await call(`${url}/health`, { headers: { "x-request-id": "trace-123" } });
    assert.equal(mine.headers.get("x-request-id"), "trace-123");
    const chat = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      json: { model: "codex", stream: true, messages: [{ role: "user", content: "hi" }] },
    });
    const generated = chat.headers.get("x-request-id");
    assert.ok(generated);
    const lines = requestLog(logs);
    assert.equal(lines.length, 2, logs.join(""));
    assert.equal(lines[0]!.request_id, "trace-123");
    assert.equal(lines[1]!.request_id, generated);
    assert.equal(lines[1]!.route, "/v1/chat/completions");
    assert.equal(lines[1]!.session, chat.headers.get("x-clinvk-session"));
    assert.equal(lines[1]!.backend, "codex");
    assert.equal(lines[1]!.level, "info");
    const metrics = (await call(`${url}/metrics`)).text;
    assert.match(
      metrics,
      /clinvk_http_requests_total\{method="POST",route="\/v1\/chat\/completions",status="200"\} 1/,
    );
    assert.match(metrics, /clinvk_turn_duration_seconds_count\{backend="codex",outcome="ok"\} 1/);
    assert.match(metrics, /clinvk_backend_processes\{backend="codex"\} 0/);
    assert.match(
      metrics,
      /clinvk_store_operation_duration_seconds_count\{operation="update"\} \d+/,
    );
    assert.match(metrics, /clinvk_tokens_total\{backend="codex",direction="output"\} [1-9]/);
    assert.match(metrics, /^process_resident_memory_bytes [1-9]\d+$/m);
  });
});

Deno.test("GET /openapi.json documents every route with the schemas requests are checked against", async () => {
  await withServer(async ({ url }) => {
    const doc = (await call(`${url}/openapi.json`)).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    assert.equal(doc.openapi, "3.1.0");
    for (
      const path of [
        "/v1/chat/completions",
        "/v1/responses",
        "/v1/models",
        "/v1/messages",
        "/v1/messages/count_tokens",
        "/api/v1/prompt",
        "/api/v1/sessions",
        "/api/v1/sessions/{id}",
        "/api/v1/sessions/{id}/fork",
        "/api/v1/backends",
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/events",
        "/health",
        "/ready",
        "/metrics",
      ]
    ) assert.ok(doc.paths[path], `${path} is documented`);
    assert.deepEqual(doc.components.schemas.MessagesRequest?.required?.sort(), [
      "max_tokens",
      "messages",
      "model",
    ]);
    assert.deepEqual(doc.components.schemas.PromptRequest?.required, ["prompt"]);
  });
});
