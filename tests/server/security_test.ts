/**
 * Keys, CORS, trusted proxies, per-key limits, the body limit and the workdir roots.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import OpenAI from "openai";
import { ClinvkError } from "../../src/errors.ts";
import { hashApiKey } from "../../src/server/api_keys.ts";
import { call, requestLog, runningTurns, waitFor, withServer } from "./harness.ts";

const KEY = "clinvk_test-key-0123456789";

type OpenAIError = { error: { message: string; type: string; code: string | null } };

function withKey(key = KEY) {
  return {
    configure: async (config: { server: { api_keys: Record<string, string> } }) => {
      config.server.api_keys = { laptop: await hashApiKey(key) };
    },
  };
}

Deno.test("with keys, a request needs a valid one as Bearer or x-api-key", async () => {
  await withServer(async ({ url, logs }) => {
    const none = await call(`${url}/v1/models`);
    assert.equal(none.status, 401);
    assert.equal((none.body as OpenAIError).error.code, "invalid_api_key");
    const wrong = await call(`${url}/v1/models`, { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
    const anthropicWrong = await call(`${url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "nope" },
      json: { model: "claude", max_tokens: 1, messages: [{ role: "user", content: "x" }] },
    });
    assert.equal(anthropicWrong.status, 401);
    assert.equal(
      (anthropicWrong.body as { error: { type: string } }).error.type,
      "authentication_error",
    );
    const bearer = await call(`${url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(bearer.status, 200);
    const header = await call(`${url}/v1/models`, { headers: { "x-api-key": KEY } });
    assert.equal(header.status, 200);
    const sdk = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0 });
    const chat = await sdk.chat.completions.create({
      model: "codex",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(chat.choices[0]!.message.content, "ECHO turn=1: hi");
    for (const path of ["/health", "/ready", "/openapi.json"]) {
      assert.equal((await call(`${url}${path}`)).status, 200, `${path} needs no key`);
    }
    assert.equal((await call(`${url}/metrics`)).status, 401, "metrics need a key");
    const keyed = requestLog(logs).filter((line) => line.key === "laptop");
    assert.ok(keyed.length >= 3, "the log names the key, never the key itself");
    assert.ok(!logs.join("").includes(KEY));
  }, withKey());
});

/**
 * One HTTP/1.1 request over a raw socket: fetch() sends its own `Host` header whatever the
 * caller sets, and a browser on a rebound domain sends that domain's.
 */
async function withHost(
  url: string,
  host: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<{ status: number; body: string }> {
  const body = json === undefined ? "" : JSON.stringify(json);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(url).port) });
  try {
    const head = [
      `${method} ${path} HTTP/1.1`,
      `Host: ${host}`,
      "Connection: close",
      ...(json === undefined ? [] : ["Content-Type: application/json"]),
      `Content-Length: ${new TextEncoder().encode(body).length}`,
    ];
    await conn.write(new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n${body}`));
    const text = new TextDecoder().decode(
      new Uint8Array(await new Response(conn.readable).arrayBuffer()),
    );
    return { status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    try {
      conn.close();
    } catch {
      // closed by reading to the end
    }
  }
}

Deno.test("without keys, a request addressed to another host name is 403 (DNS rebinding), loopback names pass", async () => {
  await withServer(async ({ url, sb }) => {
    const port = new URL(url).port;
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1.nip.io:${port}`]) {
      const refused = await withHost(url, host, "POST", "/v1/chat/completions", {
        model: "claude",
        messages: [{ role: "user", content: "rm -rf ~" }],
      });
      assert.equal(refused.status, 403, refused.body);
      assert.match(refused.body, /host_not_allowed/);
      assert.match(refused.body, /evil\.example|nip\.io/);
    }
    assert.equal(await Deno.readTextFile(sb.log).catch(() => ""), "", "no backend ran");
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "[::1]"]) {
      const ok = await withHost(url, host, "GET", "/v1/models");
      assert.equal(ok.status, 200, `${host}: ${ok.body}`);
    }
  });
});

Deno.test("CLINVK_API_KEYS adds keys, plain or hashed", async () => {
  const hashed = await hashApiKey("second-key");
  await withServer(async ({ url }) => {
    for (const key of ["first-key", "second-key"]) {
      const response = await call(`${url}/v1/models`, {
        headers: { authorization: `Bearer ${key}` },
      });
      assert.equal(response.status, 200, key);
    }
  }, { env: { CLINVK_API_KEYS: `first-key, ${hashed}` } });
});

Deno.test("a CORS preflight is answered before authentication, for configured origins only", async () => {
  await withServer(async ({ url }) => {
    const preflight = await call(`${url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-clinvk-session",
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /x-clinvk-session/i);
    const other = await call(`${url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assert.notEqual(other.status, 401);
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    const actual = await call(`${url}/v1/models`, {
      headers: { origin: "https://app.example", authorization: `Bearer ${KEY}` },
    });
    assert.equal(actual.headers.get("access-control-allow-origin"), "https://app.example");
    assert.match(actual.headers.get("access-control-expose-headers") ?? "", /X-Clinvk-Session/);
  }, {
    configure: async (config) => {
      await withKey().configure(config);
      config.server.cors_origins = ["https://app.example"];
    },
  });
});

Deno.test("X-Forwarded-For is believed only from a trusted proxy", async () => {
  for (const [trusted, client] of [[["127.0.0.1"], "203.0.113.9"], [[], "127.0.0.1"]] as const) {
    await withServer(async ({ url, logs }) => {
      await call(`${url}/health`, { headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.9" } });
      assert.equal(requestLog(logs).at(-1)?.client, client);
    }, { configure: (config) => void (config.server.trusted_proxies = [...trusted]) });
  }
});

Deno.test("over requests_per_minute a key gets 429 with Retry-After", async () => {
  await withServer(async ({ url }) => {
    const auth = { authorization: `Bearer ${KEY}` };
    assert.equal((await call(`${url}/v1/models`, { headers: auth })).status, 200);
    assert.equal((await call(`${url}/v1/models`, { headers: auth })).status, 200);
    const limited = await call(`${url}/v1/models`, { headers: auth });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.match((limited.body as OpenAIError).error.message, /2 requests per minute/);
    assert.equal((limited.body as OpenAIError).error.type, "requests");
  }, {
    configure: async (config) => {
      await withKey().configure(config);
      config.server.limits.requests_per_minute = 2;
    },
  });
});

Deno.test("over concurrent_turns and tokens_per_day a key gets 429", async () => {
  await withServer(async ({ url }) => {
    const hanging = new AbortController();
    const first = fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      signal: hanging.signal,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude",
        messages: [{ role: "user", content: "a [[fake:hang]]" }],
      }),
    }).catch(() => undefined);
    await waitFor(() => runningTurns(url, "claude", 1), "the first turn to run");
    const second = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      json: { model: "claude", messages: [{ role: "user", content: "b" }] },
    });
    assert.equal(second.status, 429);
    assert.match((second.body as OpenAIError).error.message, /turns running/);
    hanging.abort();
    await first;
    await waitFor(() => runningTurns(url, "claude", 0), "the first turn to stop");
    const third = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      json: { model: "claude", messages: [{ role: "user", content: "c" }] },
    });
    assert.equal(third.status, 200, third.text);
    // That turn used more than 10 tokens: today's budget is gone.
    const fourth = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      json: { model: "claude", messages: [{ role: "user", content: "d" }] },
    });
    assert.equal(fourth.status, 429);
    assert.equal((fourth.body as OpenAIError).error.type, "tokens");
    assert.ok(Number(fourth.headers.get("retry-after")) > 0);
    const metrics = await call(`${url}/metrics`);
    assert.match(
      metrics.text,
      /clinvk_rate_limited_total\{key="anonymous@127\.0\.0\.1",limit="concurrent_turns"\} 1/,
    );
    assert.match(metrics.text, /limit="tokens_per_day"\} 1/);
  }, {
    configure: (config) => {
      config.server.limits.concurrent_turns = 1;
      config.server.limits.tokens_per_day = 10;
    },
  });
});

Deno.test("a body over max_body_bytes is 413 in the protocol's shape", async () => {
  await withServer(async ({ url, sb }) => {
    const big = "x".repeat(5000);
    const openai = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      json: { model: "claude", messages: [{ role: "user", content: big }] },
    });
    assert.equal(openai.status, 413);
    assert.equal((openai.body as OpenAIError).error.code, "request_too_large");
    const anthropic = await call(`${url}/v1/messages`, {
      method: "POST",
      json: { model: "claude", max_tokens: 1, messages: [{ role: "user", content: big }] },
    });
    assert.equal(anthropic.status, 413);
    assert.equal((anthropic.body as { error: { type: string } }).error.type, "request_too_large");
    assert.equal(await Deno.readTextFile(sb.log).catch(() => ""), "", "no backend ran");
  }, { configure: (config) => void (config.server.max_body_bytes = 4096) });
});

Deno.test("workdirs: only under the allowed roots, resolved through symlinks, never system paths", async () => {
  await withServer(async ({ url, sb, store }) => {
    const inside = join(sb.work, "sub");
    await Deno.mkdir(inside);
    await Deno.symlink("/etc", join(sb.work, "etc-link"));
    const ask = (workdir: string) =>
      call(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "X-Clinvk-Workdir": workdir },
        json: { model: "codex", messages: [{ role: "user", content: "hi" }] },
      });
    const ok = await ask("sub");
    assert.equal(ok.status, 200, ok.text);
    const [session] = await store.list();
    assert.equal(session?.workdir, inside);
    for (const path of [sb.dir, "etc-link", "/etc", "/"]) {
      const refused = await ask(path);
      assert.equal(refused.status, 403, `${path}: ${refused.text}`);
      assert.equal((refused.body as OpenAIError).error.code, "workdir_not_allowed");
    }
    const rest = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "x", workdir: join(sb.dir, "home") },
    });
    assert.equal(rest.status, 403);
  }, { configure: (config, sb) => void (config.server.allowed_workdirs = [sb.work]) });
});

Deno.test("without allowed_workdirs a request may run only in the server's own workdir", async () => {
  await withServer(async ({ url, sb, store }) => {
    await Deno.mkdir(join(sb.work, "sub"));
    const refused = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "x", backend: "codex", workdir: "sub" },
    });
    assert.equal(refused.status, 403);
    // A CLI session elsewhere cannot be resumed through the server either.
    const elsewhere = await store.create({
      backend: "codex",
      model: null,
      workdir: sb.dir,
      prompt: "cli",
      tags: [],
      backend_session_id: "01a20b33-5730-7563-b936-d70a82068ace",
    });
    const resume = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "x", session_id: elsewhere.id },
    });
    assert.equal(resume.status, 403, resume.text);
  });
});

Deno.test("listening beyond loopback without API keys is refused", async () => {
  await assert.rejects(
    withServer(async () => {}, { host: "0.0.0.0" }),
    (error: unknown) =>
      error instanceof ClinvkError && error.exitCode === 2 &&
      /Refusing to listen on 0\.0\.0\.0 without API keys/.test(error.message),
  );
});
