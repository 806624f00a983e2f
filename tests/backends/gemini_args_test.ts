import assert from "node:assert/strict";
import { geminiBackend } from "../../src/backends/gemini/index.ts";
import type { TurnRequest } from "../../src/backends/types.ts";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { scenarios, valueAfter } from "./samples.ts";

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
  Deno.test(`gemini streamArgs()/jsonArgs() match the recorded argv of ${s.scenario}`, () => {
    const { form, request } = make(s.argv);
    const args = form === "json"
      ? geminiBackend.jsonArgs(request)
      : geminiBackend.streamArgs(request);
    assert.deepEqual(["gemini", ...args], s.argv);
  });
}

Deno.test("gemini argv tests cover every recorded scenario", async () => {
  const names = (await scenarios("gemini")).map((s) => s.scenario);
  assert.deepEqual(names.filter((n) => !(n in CASES) && !NOT_USED.includes(n)), []);
});

Deno.test("gemini jsonArgs() adds nothing for ephemeral; deleteSessionArgs() deletes by id", () => {
  assert.deepEqual(geminiBackend.jsonArgs({ prompt: "p", ephemeral: true }), [
    "-p",
    "p",
    "-o",
    "json",
  ]);
  assert.equal(geminiBackend.nativeEphemeral, false);
  assert.deepEqual(geminiBackend.deleteSessionArgs?.("84286d75-49b7-4c41-9e63-8c46c63654a2"), [
    "--delete-session",
    "84286d75-49b7-4c41-9e63-8c46c63654a2",
  ]);
});

Deno.test("gemini streamArgs() refuses fork: Gemini has no native fork", () => {
  assert.equal(geminiBackend.nativeFork, false);
  assert.throws(
    () => geminiBackend.streamArgs({ prompt: "p", resumeId: "abc", fork: true }),
    /no native fork/,
  );
});

Deno.test("gemini jsonArgs() maps approval and sandbox modes", () => {
  assert.deepEqual(
    geminiBackend.jsonArgs({ prompt: "p", approvalMode: "auto_edit", sandboxMode: "on" }),
    ["-p", "p", "--approval-mode", "auto_edit", "--sandbox", "-o", "json"],
  );
  assert.deepEqual(
    geminiBackend.jsonArgs({ prompt: "p", sandboxMode: "false" }),
    ["-p", "p", "--sandbox=false", "-o", "json"],
  );
});

Deno.test("gemini jsonArgs() rejects bad approval and sandbox values, listing the valid ones", () => {
  const usage = (hint: string) => (e: unknown) =>
    e instanceof ClinvkError && e.exitCode === ExitCode.Usage && e.hint === hint;
  assert.throws(
    () => geminiBackend.jsonArgs({ prompt: "p", approvalMode: "auto" }),
    usage("Use one of: default, auto_edit, yolo, plan."),
  );
  assert.throws(
    () => geminiBackend.jsonArgs({ prompt: "p", sandboxMode: "docker" }),
    usage("Use one of: on, off, true, false."),
  );
});

Deno.test("gemini jsonArgs() attaches a prompt starting with - as --prompt=", () => {
  assert.deepEqual(geminiBackend.jsonArgs({ prompt: "-v please", resumeId: "abc" }), [
    "--prompt=-v please",
    "--resume",
    "abc",
    "-o",
    "json",
  ]);
});

Deno.test("gemini jsonArgs() places extra args before the prompt", () => {
  assert.deepEqual(
    geminiBackend.jsonArgs({ prompt: "p", extraArgs: ["--include-directories", "../lib"] }),
    ["--include-directories", "../lib", "-p", "p", "-o", "json"],
  );
});

Deno.test("gemini resolveModel() maps aliases to the Gemini 2.5 family", () => {
  assert.equal(geminiBackend.resolveModel("fast"), "gemini-2.5-flash-lite");
  assert.equal(geminiBackend.resolveModel("balanced"), "gemini-2.5-flash");
  assert.equal(geminiBackend.resolveModel("best"), "gemini-2.5-pro");
  assert.equal(geminiBackend.resolveModel("gemini-3.8-flash"), "gemini-3.8-flash");
});
