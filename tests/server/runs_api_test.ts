/**
 * clinvk's REST runs endpoints on the run engine: start a run from a run file sent as JSON,
 * follow its events as SSE, read its record — each task a real session.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { call, withServer } from "./harness.ts";

type Results = {
  run_id: string;
  status: string;
  exit_code: number;
  results: { id?: string; session_id?: string; output?: string }[];
};

Deno.test("POST /api/v1/runs starts a run; its events stream to run_done; GET shows its record", async () => {
  await withServer(async ({ url, store }) => {
    const started = await call(`${url}/api/v1/runs`, {
      method: "POST",
      json: {
        tasks: [
          { id: "plan", backend: "claude", prompt: "plan it" },
          { id: "build", backend: "codex", prompt: "build {{tasks.plan.output}}", needs: ["plan"] },
        ],
      },
    });
    assert.equal(started.status, 202, started.text);
    const run = started.body as Results;
    assert.equal(started.headers.get("location"), `/api/v1/runs/${run.run_id}`);

    const events = await call(`${url}/api/v1/runs/${run.run_id}/events`);
    assert.match(events.headers.get("content-type") ?? "", /^text\/event-stream/);
    const types = [...events.text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.equal(types[0], "run_started");
    assert.equal(types.at(-1), "run_done");
    assert.equal(types.filter((t) => t === "task_done").length, 2);

    const record = await call(`${url}/api/v1/runs/${run.run_id.slice(0, 6)}`);
    assert.equal(record.status, 200);
    const done = record.body as Results;
    assert.equal(done.status, "done");
    assert.equal(done.exit_code, 0);
    const sessions = done.results.map((r) => r.session_id!);
    assert.equal(sessions.length, 2);
    for (const id of sessions) assert.ok(await store.get(id), `task session ${id} is a session`);
  });
});

Deno.test("a bad run file is 400 naming the field; a workdir outside the roots is 403", async () => {
  await withServer(async ({ url, sb }) => {
    const bad = await call(`${url}/api/v1/runs`, {
      method: "POST",
      json: { tasks: [{ id: "x", backend: "nope", prompt: "p" }] },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.match((bad.body as { error: { message: string } }).error.message, /backend/);
    const outside = await call(`${url}/api/v1/runs`, {
      method: "POST",
      json: { tasks: [{ id: "x", backend: "claude", prompt: "p", workdir: join(sb.dir, "home") }] },
    });
    assert.equal(outside.status, 403, outside.text);
    const missing = await call(`${url}/api/v1/runs/nosuchrun/events`);
    assert.equal(missing.status, 404);
  });
});
