/**
 * Conversations are clinvk sessions continued through the backend's own resume, sending only
 * the new turn — by X-Clinvk-Session, previous_response_id, conversation or
 * metadata.session_id — and one turn at a time per session (409, or waiting).
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { BACKENDS, call, runningTurns, waitFor, withServer } from "./harness.ts";

const openai = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });

/** The backend's argv carries exactly `prompt` as one element and none of `absent`. */
function assertSentOnly(argv: string[], prompt: string, absent: string[]) {
  assert.ok(argv.includes(prompt), `argv lacks ${JSON.stringify(prompt)}: ${JSON.stringify(argv)}`);
  for (const text of absent) {
    assert.ok(!argv.some((arg) => arg.includes(text)), `argv repeats "${text}": ${argv}`);
  }
}

for (const backend of BACKENDS) {
  Deno.test(`a chat continued over three requests on ${backend} resumes with only the new turn`, async () => {
    await withServer(async ({ url, sb, store }) => {
      const client = openai(url);
      const history: OpenAI.ChatCompletionMessageParam[] = [];
      let session: string | null = null;
      for (const [i, text] of ["first question", "second question", "third question"].entries()) {
        history.push({ role: "user", content: text });
        const { data, response }: {
          data: OpenAI.ChatCompletion;
          response: Response;
        } = await client.chat.completions.create(
          { model: backend, messages: history },
          session ? { headers: { "X-Clinvk-Session": session } } : {},
        ).withResponse();
        const answer: string = data.choices[0]!.message.content!;
        assert.equal(answer, `ECHO turn=${i + 1}: ${text}`, "the backend saw every earlier turn");
        assert.equal(
          response.headers.get("x-clinvk-session"),
          session ?? response.headers.get("x-clinvk-session"),
        );
        session = response.headers.get("x-clinvk-session");
        history.push({ role: "assistant", content: answer });
      }
      const calls = (await readFakeLog(sb.log)).filter((c) => c.cli === backend);
      assert.equal(calls.length, 3);
      const record = await store.get(session!);
      assert.equal(record?.turn_count, 3);
      assert.ok(record?.tags.includes("api"));
      for (const [i, call] of calls.slice(1).entries()) {
        assert.ok(call.argv.includes(record!.backend_session_id!), "resumed the backend session");
        const earlier = ["first question", "second question", "third question"].slice(0, i + 1);
        assertSentOnly(call.argv, ["second question", "third question"][i]!, [...earlier, "ECHO"]);
      }
      assert.equal((await store.list()).length, 1, "one session, not three");
    });
  });
}

Deno.test("previous_response_id and conversation continue the session of a response", async () => {
  await withServer(async ({ url, sb }) => {
    const client = openai(url);
    const first = await client.responses.create({ model: "codex", input: "one" });
    assert.match(first.id, /^resp_[a-z0-9]+_[0-9a-f]{24}$/);
    const second = await client.responses.create({
      model: "codex",
      input: "two",
      previous_response_id: first.id,
    });
    assert.equal(second.output_text, "ECHO turn=2: two");
    assert.equal(second.previous_response_id, first.id);
    const session = first.id.split("_")[1]!;
    const third = await client.responses.create({
      model: "codex",
      input: [{ role: "user", content: "three" }],
      conversation: `conv_${session}`,
      stream: false,
    });
    assert.equal(third.output_text, "ECHO turn=3: three");
    assert.equal(third.conversation?.id, `conv_${session}`);
    const calls = await readFakeLog(sb.log);
    assert.equal(calls.at(-1)?.argv.at(-1), "three");
  });
});

Deno.test("metadata.session_id continues an Anthropic conversation", async () => {
  await withServer(async ({ url }) => {
    const client = new Anthropic({ baseURL: url, apiKey: "x", maxRetries: 0 });
    const { response } = await client.messages.create({
      model: "claude",
      max_tokens: 10,
      messages: [{ role: "user", content: "one" }],
    }).withResponse();
    const session = response.headers.get("x-clinvk-session")!;
    const second = await client.messages.create({
      model: "claude",
      max_tokens: 10,
      messages: [
        { role: "user", content: "one" },
        { role: "assistant", content: "ECHO turn=1: one" },
        { role: "user", content: "two" },
      ],
      metadata: { session_id: session } as Anthropic.Metadata,
    });
    assert.equal(second.content[0]?.type === "text" && second.content[0].text, "ECHO turn=2: two");
  });
});

Deno.test("a new session with earlier messages starts from a marked transcript", async () => {
  await withServer(async ({ url, sb }) => {
    const response = await openai(url).chat.completions.create({
      model: "claude",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Add a test" },
      ],
    });
    assert.match(response.choices[0]!.message.content!, /^ECHO turn=1: /);
    const [callEntry] = await readFakeLog(sb.log);
    const prompt = callEntry!.argv.find((arg) => arg.includes("Add a test"))!;
    assert.match(
      prompt,
      /\[Conversation so far\]\nUser: Hi\nAssistant: Hello!\n\[End of conversation so far\]/,
    );
    assert.ok(callEntry!.argv.join(" ").includes("Be brief."), "the system prompt is passed on");
  });
});

Deno.test("X-Clinvk-Ephemeral: 1 records no session", async () => {
  await withServer(async ({ url, store }) => {
    const { data, response } = await openai(url).chat.completions.create(
      { model: "codex", messages: [{ role: "user", content: "quick" }] },
      { headers: { "X-Clinvk-Ephemeral": "1" } },
    ).withResponse();
    assert.equal(data.choices[0]!.message.content, "ECHO turn=1: quick");
    assert.equal(response.headers.get("x-clinvk-session"), null);
    assert.deepEqual(await store.list(), []);
  });
});

Deno.test("a second request on a busy session gets 409, or waits with X-Clinvk-Wait: 1", async () => {
  await withServer(async ({ url, store }) => {
    const first = await call(`${url}/api/v1/prompt`, {
      method: "POST",
      json: { prompt: "start", backend: "claude" },
    });
    const session = (first.body as { session_id: string }).session_id;
    const hanging = new AbortController();
    const slow = fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      signal: hanging.signal,
      headers: { "content-type": "application/json", "X-Clinvk-Session": session },
      body: JSON.stringify({
        model: "claude",
        messages: [{ role: "user", content: "slow [[fake:hang]]" }],
      }),
    }).catch(() => undefined);
    await waitFor(() => runningTurns(url, "claude", 1), "the slow turn to hold the session");
    const busy = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "X-Clinvk-Session": session },
      json: { model: "claude", messages: [{ role: "user", content: "now" }] },
    });
    assert.equal(busy.status, 409);
    const error = (busy.body as { error: Record<string, string> }).error;
    assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "type"]);
    assert.equal(error.code, "session_busy");
    assert.match(error.message!, /X-Clinvk-Wait/);
    const waited = call(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "X-Clinvk-Session": session, "X-Clinvk-Wait": "1" },
      json: { model: "claude", messages: [{ role: "user", content: "after" }] },
    });
    hanging.abort();
    await slow;
    const answer = await waited;
    assert.equal(answer.status, 200, answer.text);
    const content = (answer.body as OpenAI.ChatCompletion).choices[0]!.message.content!;
    assert.match(content, /^ECHO turn=\d+: after$/);
    assert.equal((await store.get(session))?.turn_count, 3, "start, the stopped turn, after");
  });
});

Deno.test("a session the client names that does not exist is a 404 in the protocol's shape", async () => {
  await withServer(async ({ url }) => {
    const openaiError = await call(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "X-Clinvk-Session": "nosuch0000" },
      json: { model: "claude", messages: [{ role: "user", content: "x" }] },
    });
    assert.equal(openaiError.status, 404);
    assert.equal((openaiError.body as { error: { code: string } }).error.code, "session_not_found");
    const anthropicError = await call(`${url}/v1/messages`, {
      method: "POST",
      json: {
        model: "claude",
        max_tokens: 5,
        metadata: { session_id: "nosuch0000" },
        messages: [{ role: "user", content: "x" }],
      },
    });
    assert.equal(anthropicError.status, 404);
    assert.deepEqual(
      (anthropicError.body as { type: string; error: { type: string } }).error.type,
      "not_found_error",
    );
  });
});
