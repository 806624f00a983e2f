/**
 * Backend failures are the protocol's own errors with the right HTTP status — never a 200 that
 * hides one — and a failure after the stream started ends it with the protocol's error event.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { call, withServer } from "./harness.ts";

const midwayCodex = fileURLToPath(new URL("./fixtures/codex_fails_midway", import.meta.url));
const toolUsingCodex = fileURLToPath(new URL("./fixtures/codex_uses_a_tool", import.meta.url));

type OpenAIError = { error: { message: string; type: string; code: string | null } };
type AnthropicError = {
  type: string;
  error: { type: string; message: string };
  request_id: string;
};

function chat(url: string, prompt: string, extra: Record<string, unknown> = {}) {
  return call(`${url}/v1/chat/completions`, {
    method: "POST",
    json: { model: "claude", messages: [{ role: "user", content: prompt }], ...extra },
  });
}

function message(url: string, prompt: string, extra: Record<string, unknown> = {}) {
  return call(`${url}/v1/messages`, {
    method: "POST",
    json: {
      model: "claude",
      max_tokens: 10,
      messages: [{ role: "user", content: prompt }],
      ...extra,
    },
  });
}

const CASES = [
  {
    marker: "401",
    status: 502,
    openai: ["server_error", "backend_auth_failed"],
    anthropic: [502, "api_error"],
    retry: "false",
  },
  {
    marker: "429",
    status: 429,
    openai: ["requests", "backend_rate_limited"],
    anthropic: [429, "rate_limit_error"],
    retry: "true",
  },
  {
    marker: "529",
    status: 503,
    openai: ["server_error", "backend_overloaded"],
    anthropic: [529, "overloaded_error"],
    retry: "true",
  },
  {
    marker: "400",
    status: 400,
    openai: ["invalid_request_error", "backend_bad_request"],
    anthropic: [400, "invalid_request_error"],
    retry: "false",
  },
] as const;

for (const c of CASES) {
  Deno.test(`a backend API ${c.marker} is HTTP ${c.status} with the protocol's error object, streaming or not`, async () => {
    await withServer(async ({ url, store }) => {
      for (const stream of [false, true]) {
        const response = await chat(url, `x [[fake:error=${c.marker}]]`, { stream });
        assert.equal(response.status, c.status, response.text);
        const body = response.body as OpenAIError;
        assert.deepEqual([body.error.type, body.error.code], c.openai);
        assert.match(body.error.message, /^The claude backend /);
        assert.equal(response.headers.get("x-should-retry"), c.retry);
        if (c.status === 429 || c.status === 503) {
          assert.ok(Number(response.headers.get("retry-after")) > 0);
        }
        assert.ok(response.headers.get("x-clinvk-session"), "the failed turn's session is named");

        const anthropic = await message(url, `x [[fake:error=${c.marker}]]`, { stream });
        assert.equal(anthropic.status, c.anthropic[0]);
        const error = anthropic.body as AnthropicError;
        assert.equal(error.type, "error");
        assert.equal(error.error.type, c.anthropic[1]);
        assert.equal(error.request_id, anthropic.headers.get("x-request-id"));
      }
      const sessions = await store.list();
      assert.ok(sessions.length === 4 && sessions.every((s) => s.status === "error"));
    });
  });
}

Deno.test("the SDKs raise their typed errors (and do not retry non-retryable ones)", async () => {
  await withServer(async ({ url, sb }) => {
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 2 });
    await assert.rejects(
      openai.chat.completions.create({
        model: "claude",
        messages: [{ role: "user", content: "x [[fake:error=401]]" }],
      }),
      (error: unknown) => error instanceof OpenAI.InternalServerError && error.status === 502,
    );
    const calls = (await Deno.readTextFile(sb.log)).trim().split("\n");
    assert.equal(calls.length, 1, "x-should-retry: false stopped the SDK's retries");
    const anthropic = new Anthropic({ baseURL: url, apiKey: "x", maxRetries: 0 });
    await assert.rejects(
      anthropic.messages.create({
        model: "claude",
        max_tokens: 5,
        messages: [{ role: "user", content: "x [[fake:error=429]]" }],
      }),
      (error: unknown) => error instanceof Anthropic.RateLimitError,
    );
  });
});

Deno.test("a backend that cannot reach its API is 502, retryable, on every backend", async () => {
  await withServer(async ({ url }) => {
    for (const model of ["claude", "codex", "gemini"]) {
      const response = await chat(url, "x [[fake:server-down]]", { model });
      assert.equal(response.status, 502, response.text);
      assert.equal((response.body as OpenAIError).error.code, "backend_unreachable");
      assert.equal(response.headers.get("x-should-retry"), "true");
    }
  });
});

Deno.test("a session the backend no longer has is 404 backend_session_not_found", async () => {
  await withServer(async ({ url, store, sb }) => {
    const lost = await store.create({
      backend: "claude",
      model: null,
      workdir: sb.work,
      prompt: "p",
      tags: [],
      backend_session_id: "99999999-2222-4333-8444-555555555555",
    });
    const resumed = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "X-Clinvk-Session": lost.id },
      json: { model: "claude", messages: [{ role: "user", content: "x" }] },
    });
    assert.equal(resumed.status, 404);
    assert.equal((resumed.body as OpenAIError).error.code, "backend_session_not_found");
  });
});

Deno.test("a backend that runs past timeout_seconds is stopped: 504", async () => {
  await withServer(async ({ url }) => {
    const response = await chat(url, "wait [[fake:hang]]");
    assert.equal(response.status, 504);
    assert.equal((response.body as OpenAIError).error.code, "timeout");
    const anthropic = await message(url, "wait [[fake:hang]]", { stream: true });
    assert.equal(anthropic.status, 504);
    assert.equal((anthropic.body as AnthropicError).error.type, "timeout_error");
  }, { configure: (config) => void (config.timeout_seconds = 1) });
});

Deno.test("a backend CLI that is not installed is 503 naming it", async () => {
  await withServer(async ({ url }) => {
    const response = await chat(url, "hello");
    assert.equal(response.status, 503);
    const body = response.body as OpenAIError;
    assert.equal(body.error.code, "backend_not_installed");
    assert.match(body.error.message, /claude/);
  }, {
    configure: (config, sb) => void (config.backends.claude.command = join(sb.dir, "no-claude")),
  });
});

Deno.test("a failure after the stream started ends it with each protocol's error event", async () => {
  await withServer(async ({ url }) => {
    const chatStream = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      json: { model: "codex", stream: true, messages: [{ role: "user", content: "go" }] },
    });
    assert.equal(chatStream.status, 200);
    const data = [...chatStream.text.matchAll(/^data: (.*)$/gm)].map((m) => m[1]!);
    assert.ok(data.some((d) => d.includes("Half an answer")), "the text before the failure");
    const last = JSON.parse(data.at(-1)!) as OpenAIError;
    assert.equal(last.error.code, "backend_overloaded");
    assert.ok(!data.includes("[DONE]"), "no [DONE] after an error");

    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const sdkStream = await openai.chat.completions.create({
      model: "codex",
      stream: true,
      messages: [{ role: "user", content: "go" }],
    });
    await assert.rejects(async () => {
      for await (const _ of sdkStream) { /* read to the error */ }
    }, (error: unknown) => error instanceof OpenAI.APIError && /overloaded/.test(error.message));

    const responses = await call(`${url}/v1/responses`, {
      method: "POST",
      json: { model: "codex", stream: true, input: "go" },
    });
    const events = [...responses.text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.equal(events.at(-1), "response.failed");
    const failed = JSON.parse([...responses.text.matchAll(/^data: (.*)$/gm)].at(-1)![1]!);
    assert.equal(failed.response.status, "failed");
    assert.equal(failed.response.error.code, "backend_overloaded");

    const messages = await call(`${url}/v1/messages`, {
      method: "POST",
      json: {
        model: "codex",
        max_tokens: 5,
        stream: true,
        messages: [{ role: "user", content: "go" }],
      },
    });
    const names = [...messages.text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.equal(names.at(-1), "error");
    assert.ok(!names.includes("message_stop"));
    const error = JSON.parse([...messages.text.matchAll(/^data: (.*)$/gm)].at(-1)![1]!);
    assert.deepEqual(error.error.type, "overloaded_error");
    assert.equal(error.type, "error");
  }, { configure: (config) => void (config.backends.codex.command = midwayCodex) });
});

Deno.test("requests the server cannot take are 400 with the field at fault", async () => {
  await withServer(async ({ url }) => {
    const noMessages = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      json: { model: "claude" },
    });
    assert.equal(noMessages.status, 400);
    assert.match((noMessages.body as OpenAIError).error.message, /messages/);
    const badJson = await call(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    assert.equal(badJson.status, 400);
    assert.equal((badJson.body as AnthropicError).error.type, "invalid_request_error");
    const image = await chat(url, "", {
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }],
    });
    assert.equal(image.status, 400);
    assert.match((image.body as OpenAIError).error.message, /image_url .* not supported/);
    const unknownModel = await chat(url, "x", { model: "gpt-4o" });
    assert.equal(unknownModel.status, 404);
    assert.equal((unknownModel.body as OpenAIError).error.code, "model_not_found");
    const tool = await chat(url, "x", {
      messages: [{ role: "tool", content: "r", tool_call_id: "1" }],
    });
    assert.equal(tool.status, 400);
    const route = await call(`${url}/v1/nothing`);
    assert.equal(route.status, 404);
    assert.ok((route.body as OpenAIError).error);
  });
});

Deno.test("text a backend says before and after a tool call streams apart, on every protocol", async () => {
  await withServer(async ({ url }) => {
    const said = "Let me look.\n\nFound a.";
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const chat = await openai.chat.completions.create({
      model: "codex",
      stream: true,
      messages: [{ role: "user", content: "go" }],
    });
    let chatText = "";
    for await (const chunk of chat) chatText += chunk.choices[0]?.delta.content ?? "";
    assert.equal(chatText, said);

    const responses = await openai.responses.create({ model: "codex", stream: true, input: "go" });
    let deltas = "";
    let done = "";
    for await (const event of responses) {
      if (event.type === "response.output_text.delta") deltas += event.delta;
      if (event.type === "response.completed") {
        const [item] = event.response.output;
        done = item?.type === "message" && item.content[0]?.type === "output_text"
          ? item.content[0].text
          : "";
      }
    }
    assert.equal(deltas, said);
    assert.equal(done, said);

    const anthropic = new Anthropic({ baseURL: url, apiKey: "x", maxRetries: 0 });
    const message = await anthropic.messages.stream({
      model: "codex",
      max_tokens: 5,
      messages: [{ role: "user", content: "go" }],
    }).finalMessage();
    assert.deepEqual(message.content, [{ type: "text", text: said }]);
  }, { configure: (config) => void (config.backends.codex.command = toolUsingCodex) });
});
