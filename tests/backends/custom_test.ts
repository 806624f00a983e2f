/**
 * The pieces of a custom backend (`backends.<name>.kind: custom`): argv templates, JSON paths
 * and the three output kinds.
 */
import assert from "node:assert/strict";
import { customBackend } from "../../src/backends/custom/index.ts";
import { valueAt } from "../../src/backends/custom/json_path.ts";
import { expandArgs, placeholdersIn } from "../../src/backends/custom/template.ts";
import type { BackendConfig } from "../../src/config/schema.ts";
import type { UnifiedEvent } from "../../src/backends/types.ts";

Deno.test("expandArgs() fills each placeholder into one argument and drops an option without a value", () => {
  const template = ["run", "--model", "{model}", "--cwd={workdir}", "--", "{prompt}"];
  assert.deepEqual(expandArgs(template, { prompt: "a b; rm -rf /", workdir: "/w" }), [
    "run",
    "--cwd=/w",
    "--",
    "a b; rm -rf /",
  ]);
  assert.deepEqual(expandArgs(template, { prompt: "p", model: "m1", workdir: "/w" }), [
    "run",
    "--model",
    "m1",
    "--cwd=/w",
    "--",
    "p",
  ]);
  assert.deepEqual(expandArgs(["{{literal}}", "x{prompt}y"], { prompt: "P" }), [
    "{literal}",
    "xPy",
  ]);
  assert.deepEqual(placeholdersIn("{a}{{b}}{c}"), ["a", "c"]);
});

Deno.test("valueAt() follows names and indexes, and finds nothing past a missing step", () => {
  const doc = { result: { items: [{ text: "hi" }, { text: "there" }] }, n: 0 };
  assert.equal(valueAt(doc, "result.items[1].text"), "there");
  assert.equal(valueAt(doc, "n"), 0);
  assert.equal(valueAt(doc, "result.items[5].text"), undefined);
  assert.equal(valueAt(doc, "result.nope.text"), undefined);
  assert.equal(valueAt("text", "a"), undefined);
});

const base: BackendConfig = {
  kind: "custom",
  extra_args: [],
  env: {},
  args: { new: ["ask", "{prompt}"], resume: ["ask", "--id", "{session_id}", "{prompt}"] },
};

function feed(settings: BackendConfig, lines: string[]) {
  const parser = customBackend("agent", settings).createStreamParser();
  const events: UnifiedEvent[] = lines.flatMap((line) => parser.push(line));
  events.push(...(parser.end?.() ?? []));
  return { events, result: parser.result() };
}

Deno.test("a custom jsonl backend streams init and messages as the lines arrive", () => {
  const { events, result } = feed({
    ...base,
    output: {
      format: "jsonl",
      session_id: "sid",
      text: "delta",
      text_mode: "concat",
      usage: { input: "u.in", output: "u.out" },
      usage_cumulative: true,
    },
  }, ['{"sid":"s-1"}', "not json", '{"delta":"Hel"}', '{"delta":"lo"}', '{"u":{"in":9,"out":2}}']);
  assert.deepEqual(events.map((e) => e.type), ["init", "message", "message", "usage"]);
  assert.equal(result.content, "Hello");
  assert.equal(result.backendSessionId, "s-1");
  assert.deepEqual(result.usage, { input: 9, output: 2, cached: 0, total: 11 });
  assert.equal(result.usageIsCumulative, true);
});

Deno.test("a custom json backend is read once its document is complete; an error path fails the turn", () => {
  const output = { format: "json" as const, text: "answer", error: "err.msg", session_id: "id" };
  const ok = feed({ ...base, output }, ["{", '  "id": "x1",', '  "answer": "done"', "}"]);
  assert.equal(ok.result.content, "done");
  assert.equal(ok.result.error, undefined);
  const failed = feed({ ...base, output }, ['{"err": {"msg": "quota\\nexceeded"}}']);
  assert.equal(failed.result.error, "quota exceeded");
  assert.deepEqual(failed.events.filter((e) => e.type === "error").length, 1);
  const garbage = feed({ ...base, output }, ["oops"]);
  assert.equal(garbage.result.error, "agent printed no JSON document");
});

Deno.test("a custom text backend answers with its stdout", () => {
  const { result } = feed({ ...base, output: { format: "text" } }, ["line one", "line two"]);
  assert.equal(result.content, "line one\nline two");
});

Deno.test("a custom backend's argv: resume by id, extra args before the prompt, the system prompt as a preamble", async () => {
  const backend = customBackend("agent", { ...base, extra_args: ["--fast"] });
  const context = {
    fs: Deno,
    env: { get: () => undefined },
    clock: { now: () => new Date() },
    workdir: "/w",
  };
  assert.deepEqual(await backend.turnArgs({ prompt: "p", resumeId: "r1" }, context), [
    "ask",
    "--id",
    "r1",
    "--fast",
    "p",
  ]);
  assert.deepEqual(await backend.turnArgs({ prompt: "p", systemPrompt: "be brief" }, context), [
    "ask",
    "--fast",
    "[System instructions]\nbe brief\n[End of system instructions]\n\np",
  ]);
  assert.equal(backend.fork, "none");
  await assert.rejects(
    backend.turnArgs({ prompt: "p", resumeId: "r1", fork: true }, context),
    /cannot fork/,
  );
});
