import assert from "node:assert/strict";
import { claudeArgs } from "../../src/backends/claude/argv.ts";
import { claudeBackend } from "../../src/backends/claude/index.ts";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import type { TurnRequest } from "../../src/backends/types.ts";
import { asStreamArgv, scenarios, valueAfter } from "./samples.ts";

type Form = "json" | "stream";
type Case = (argv: string[]) => { form: Form; request: TurnRequest };

const prompt = (argv: string[]) => valueAfter(argv, "-p");
const resumeId = (argv: string[]) => valueAfter(argv, "--resume");

/** How clinvk asks for each recorded scenario; values come from the recorded argv. */
const CASES: Record<string, Case> = {
  "new-json": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
  "resume-json": (a) => ({ form: "json", request: { prompt: prompt(a), resumeId: resumeId(a) } }),
  "fork-json": (a) => ({
    form: "json",
    request: { prompt: prompt(a), resumeId: resumeId(a), fork: true },
  }),
  "new-stream-json": (a) => ({ form: "stream", request: { prompt: prompt(a) } }),
  "resume-stream-json": (a) => ({
    form: "stream",
    request: { prompt: prompt(a), resumeId: resumeId(a) },
  }),
  "stream-json-partial": (a) => ({ form: "stream", request: { prompt: prompt(a), partial: true } }),
  "explicit-model": (a) => ({
    form: "json",
    request: { prompt: prompt(a), model: valueAfter(a, "--model") },
  }),
  "no-persistence": (a) => ({ form: "json", request: { prompt: prompt(a), ephemeral: true } }),
  "error-bad-resume-id": (a) => ({
    form: "json",
    request: { prompt: prompt(a), resumeId: resumeId(a) },
  }),
  "error-400-json": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
  "error-401-json": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
  "error-429-json": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
  "error-500-stream-json": (a) => ({ form: "stream", request: { prompt: prompt(a) } }),
  "error-server-down": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
  "error-no-api-key": (a) => ({ form: "json", request: { prompt: prompt(a) } }),
};

/** Recorded scenarios clinvk never produces (it resumes by id and asks for JSON). */
const NOT_USED = ["version", "continue-json", "text", "explicit-session-id"];

for (const s of await scenarios("claude")) {
  const make = CASES[s.scenario];
  if (make === undefined) continue;
  Deno.test(`claudeArgs() matches the recorded argv of ${s.scenario}, streaming`, () => {
    const { request } = make(s.argv);
    assert.deepEqual(["claude", ...claudeArgs(request)], asStreamArgv(s.argv));
  });
}

Deno.test("claude argv tests cover every recorded scenario", async () => {
  const names = (await scenarios("claude")).map((s) => s.scenario);
  assert.deepEqual(names.filter((n) => !(n in CASES) && !NOT_USED.includes(n)), []);
});

Deno.test("claude claudeArgs() combines fork, model, ephemeral and permission mode", () => {
  assert.deepEqual(
    claudeArgs({
      prompt: "p",
      resumeId: "abc-123",
      fork: true,
      model: "opus",
      ephemeral: true,
      approvalMode: "acceptEdits",
    }),
    [
      "-p",
      "p",
      "--resume",
      "abc-123",
      "--fork-session",
      "--model",
      "opus",
      "--no-session-persistence",
      "--permission-mode",
      "acceptEdits",
      "--output-format",
      "stream-json",
      "--verbose",
    ],
  );
});

Deno.test("claude claudeArgs() puts a prompt starting with - after --", () => {
  const args = claudeArgs({ prompt: "- [ ] fix it", resumeId: "abc" });
  assert.deepEqual(args, [
    "-p",
    "--resume",
    "abc",
    "--output-format",
    "stream-json",
    "--verbose",
    "--",
    "- [ ] fix it",
  ]);
});

Deno.test("claude claudeArgs() keeps a prompt spelled like a subcommand from running it", () => {
  const help = Deno.readTextFileSync(
    new URL("../fixtures/samples/help/claude-help.txt", import.meta.url),
  );
  // Every name and alias of the recorded "Commands:" section, e.g. "plugin|plugins".
  const commands = help.slice(help.indexOf("\nCommands:\n")).split("\n").slice(1)
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1]).filter((name) => name !== undefined)
    .flatMap((names) => names.split("|"));
  assert.ok(commands.includes("doctor") && commands.includes("upgrade"), commands.join(" "));
  for (const command of commands) {
    const args = claudeArgs({ prompt: command });
    assert.equal(args[1], ` ${command}`, `the prompt "${command}" is sent as " ${command}"`);
  }
  assert.equal(claudeArgs({ prompt: "doctor the tests" })[1], "doctor the tests");
  assert.equal(claudeArgs({ prompt: "Update" })[1], "Update");
});

Deno.test("claude claudeArgs() places extra args before -p and the prompt", () => {
  const args = claudeArgs({
    prompt: "hi",
    extraArgs: ["--allowed-tools", "Read", "Edit"],
  });
  assert.deepEqual(args, [
    "--allowed-tools",
    "Read",
    "Edit",
    "-p",
    "hi",
    "--output-format",
    "stream-json",
    "--verbose",
  ]);
});

Deno.test("claude claudeArgs() rejects an unknown permission mode, listing the valid ones", () => {
  assert.throws(
    () => claudeArgs({ prompt: "p", approvalMode: "yolo" }),
    (e: unknown) =>
      e instanceof ClinvkError && e.exitCode === ExitCode.Usage &&
      e.message.includes('"yolo"') &&
      e.hint === "Use one of: acceptEdits, auto, bypassPermissions, default, dontAsk, plan.",
  );
});

Deno.test("claude claudeArgs() rejects a sandbox mode, which Claude Code does not have", () => {
  assert.throws(
    () => claudeArgs({ prompt: "p", sandboxMode: "read-only" }),
    (e: unknown) => e instanceof ClinvkError && e.exitCode === ExitCode.Usage,
  );
});

Deno.test("claude claudeArgs() refuses a resume id that would read as a flag", () => {
  assert.throws(
    () => claudeArgs({ prompt: "p", resumeId: "--dangerously-skip-permissions" }),
    (e: unknown) => e instanceof ClinvkError && e.exitCode === ExitCode.Usage,
  );
});

Deno.test("claude resolveModel() maps aliases and passes other names through", () => {
  assert.equal(claudeBackend.resolveModel("fast"), "haiku");
  assert.equal(claudeBackend.resolveModel("balanced"), "sonnet");
  assert.equal(claudeBackend.resolveModel("best"), "opus");
  assert.equal(claudeBackend.resolveModel("claude-sonnet-4-5"), "claude-sonnet-4-5");
  assert.equal(claudeBackend.resolveModel(undefined), undefined);
});
