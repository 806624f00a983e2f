import assert from "node:assert/strict";
import { geminiArgs } from "../../src/backends/gemini/argv.ts";
import { geminiBackend } from "../../src/backends/gemini/index.ts";
import type { TurnRequest } from "../../src/backends/types.ts";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { asStreamArgv, scenarios, valueAfter } from "./samples.ts";

type Form = "json" | "stream";
type Case = (argv: string[]) => { form: Form; request: TurnRequest };

const prompt = (argv: string[]) => valueAfter(argv, "-p");
const resumeId = (argv: string[]) => valueAfter(argv, "--resume");
const model = (argv: string[]) => valueAfter(argv, "-m");

/** How clinvk asks for each recorded scenario; values come from the recorded argv. */
const CASES: Record<string, Case> = {
  "new-json": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
  "resume-json": (a) => ({ form: "json", request: { prompt: prompt(a), resumeId: resumeId(a) } }),
  "new-stream-json": (a) => ({ form: "stream", request: { prompt: prompt(a) } }),
  "resume-stream-json": (a) => ({
    form: "stream",
    request: { prompt: prompt(a), resumeId: resumeId(a) },
  }),
  "explicit-model": (a) => ({ form: "json", request: { prompt: prompt(a), model: model(a) } }),
  "error-bad-resume-id": (a) => ({
    form: "json",
    request: { prompt: prompt(a), resumeId: resumeId(a) },
  }),
  "error-400-json": (a) => ({ form: "json", request: { prompt: prompt(a), model: model(a) } }),
  "error-400-stream-json": (a) => ({
    form: "stream",
    request: { prompt: prompt(a), model: model(a) },
  }),
  "error-401-json": (a) => ({ form: "json", request: { prompt: prompt(a), model: model(a) } }),
  "error-server-down": (a) => ({ form: "json", request: { prompt: prompt(a), model: model(a) } }),
  "error-no-api-key": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
};

/**
 * Recorded scenarios clinvk never produces (`--resume latest`, text mode, explicit ids,
 * listing); error-500-json was recorded through a shell wrapper.
 */
const NOT_USED = [
  "version",
  "resume-latest-json",
  "text",
  "explicit-session-id",
  "list-sessions",
  "error-500-json",
];

for (const s of await scenarios("gemini")) {
  const make = CASES[s.scenario];
  if (make === undefined) continue;
  Deno.test(`geminiArgs() matches the recorded argv of ${s.scenario}, streaming`, () => {
    const { request } = make(s.argv);
    assert.deepEqual(["gemini", ...geminiArgs(request)], asStreamArgv(s.argv));
  });
}

Deno.test("gemini argv tests cover every recorded scenario", async () => {
  const names = (await scenarios("gemini")).map((s) => s.scenario);
  assert.deepEqual(names.filter((n) => !(n in CASES) && !NOT_USED.includes(n)), []);
});

Deno.test("geminiArgs() adds nothing for ephemeral and refuses fork: Gemini has neither", () => {
  assert.deepEqual(geminiArgs({ prompt: "p", ephemeral: true }), ["-p", "p", "-o", "stream-json"]);
  assert.equal(geminiBackend.ephemeral, "forget");
  assert.equal(geminiBackend.fork, "copy");
  assert.throws(() => geminiArgs({ prompt: "p", resumeId: "abc", fork: true }), /no native fork/);
});

Deno.test("geminiArgs() maps approval and sandbox modes", () => {
  assert.deepEqual(
    geminiArgs({ prompt: "p", approvalMode: "auto_edit", sandboxMode: "on" }),
    ["-p", "p", "--approval-mode", "auto_edit", "--sandbox", "-o", "stream-json"],
  );
  assert.deepEqual(
    geminiArgs({ prompt: "p", sandboxMode: "false" }),
    ["-p", "p", "--sandbox=false", "-o", "stream-json"],
  );
});

Deno.test("geminiArgs() rejects bad approval and sandbox values, listing the valid ones", () => {
  const usage = (hint: string) => (e: unknown) =>
    e instanceof ClinvkError && e.exitCode === ExitCode.Usage && e.hint === hint;
  assert.throws(
    () => geminiArgs({ prompt: "p", approvalMode: "auto" }),
    usage("Use one of: default, auto_edit, yolo, plan."),
  );
  assert.throws(
    () => geminiArgs({ prompt: "p", sandboxMode: "docker" }),
    usage("Use one of: on, off, true, false."),
  );
});

Deno.test("geminiArgs() attaches a prompt starting with - as --prompt=", () => {
  assert.deepEqual(geminiArgs({ prompt: "-v please", resumeId: "abc" }), [
    "--prompt=-v please",
    "--resume",
    "abc",
    "-o",
    "stream-json",
  ]);
});

Deno.test("geminiArgs() places extra args before the prompt", () => {
  assert.deepEqual(
    geminiArgs({ prompt: "p", extraArgs: ["--include-directories", "../lib"] }),
    ["--include-directories", "../lib", "-p", "p", "-o", "stream-json"],
  );
});

Deno.test("gemini resolveModel() maps aliases to the Gemini 2.5 family", () => {
  assert.equal(geminiBackend.resolveModel("fast"), "gemini-2.5-flash-lite");
  assert.equal(geminiBackend.resolveModel("balanced"), "gemini-2.5-flash");
  assert.equal(geminiBackend.resolveModel("best"), "gemini-2.5-pro");
  assert.equal(geminiBackend.resolveModel("gemini-3.8-flash"), "gemini-3.8-flash");
});
