/**
 * Many clients at once: 50 concurrent requests across 10 sessions, through the three
 * protocols, lose no session update — every record parses and every session's turn count is
 * what its requests add up to.
 */
import assert from "node:assert/strict";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { snapshotStore } from "../load/store_check.ts";
import { BACKENDS, call, withServer } from "./harness.ts";

const SESSIONS = 10;
const PER_SESSION = 5;

function request(url: string, session: string, backend: string, n: number) {
  const headers = { "X-Clinvk-Session": session, "X-Clinvk-Wait": "1" };
  const prompt = `turn ${n} of ${session}`;
  switch (n % 3) {
    case 0:
      return call(`${url}/v1/chat/completions`, {
        method: "POST",
        headers,
        json: { model: backend, messages: [{ role: "user", content: prompt }] },
      });
    case 1:
      return call(`${url}/v1/messages`, {
        method: "POST",
        headers,
        json: {
          model: backend,
          max_tokens: 10,
          stream: true,
          messages: [{ role: "user", content: prompt }],
        },
      });
    default:
      return call(`${url}/v1/responses`, {
        method: "POST",
        headers,
        json: { model: backend, input: prompt },
      });
  }
}

Deno.test("50 concurrent requests across 10 sessions lose no session update", async () => {
  await withServer(async ({ url, store, sb }) => {
    const sessions: { id: string; backend: string }[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const backend = BACKENDS[i % BACKENDS.length]!;
      const first = await call(`${url}/api/v1/prompt`, {
        method: "POST",
        json: { prompt: "start", backend },
      });
      assert.equal(first.status, 200, first.text);
      sessions.push({ id: (first.body as { session_id: string }).session_id, backend });
    }
    const responses = await Promise.all(
      sessions.flatMap(({ id, backend }) =>
        Array.from({ length: PER_SESSION }, (_, n) => request(url, id, backend, n))
      ),
    );
    for (const response of responses) {
      assert.equal(response.status, 200, response.text);
      assert.doesNotMatch(response.text, /"error":\{|event: error|response\.failed/);
    }
    const { records, temps } = await snapshotStore(store.dir);
    assert.deepEqual(temps, []);
    assert.equal(records.size, SESSIONS);
    for (const { id } of sessions) {
      const record = records.get(id)!;
      assert.equal(record.turn_count, 1 + PER_SESSION, `turns of ${id}`);
      assert.equal(record.status, "completed");
      assert.ok(record.token_usage.total > 0);
    }
    assert.equal((await readFakeLog(sb.log)).length, SESSIONS * (1 + PER_SESSION));
  });
});
