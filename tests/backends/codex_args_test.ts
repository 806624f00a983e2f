import assert from "node:assert/strict";
import { codexArgs } from "../../src/backends/codex/argv.ts";
import { codexBackend } from "../../src/backends/codex/index.ts";
import type { TurnRequest } from "../../src/backends/types.ts";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { scenarios, valueAfter } from "./samples.ts";

type Case = (argv: string[]) => TurnRequest & { insideGitRepo?: boolean };

const last = (argv: string[]) => argv[argv.length - 1] as string;
/** `codex exec resume|fork --json ID P`: the id is the next-to-last argument. */
const idBeforePrompt = (argv: string[]) => argv[argv.length - 2] as string;

/** How clinvk asks for each recorded scenario; values come from the recorded argv. */
const CASES: Record<string, Case> = {
  "new-json": (a) => ({ prompt: last(a) }),
  "resume-json": (a) => ({ prompt: last(a), resumeId: idBeforePrompt(a) }),
  "fork-json": (a) => ({ prompt: last(a), resumeId: idBeforePrompt(a), fork: true }),
  "ephemeral": (a) => ({ prompt: last(a), ephemeral: true }),
  "explicit-model": (a) => ({ prompt: last(a), model: valueAfter(a, "-m") }),
  "error-bad-resume-id": (a) => ({ prompt: last(a), resumeId: idBeforePrompt(a) }),
  "error-400-json": (a) => ({ prompt: last(a) }),
  "error-401-json": (a) => ({ prompt: last(a) }),
  "error-500-json": (a) => ({ prompt: last(a) }),
  "error-no-api-key": (a) => ({ prompt: last(a) }),
  "error-not-git-repo": (a) => ({ prompt: last(a), insideGitRepo: true }),
  "skip-git-repo-check": (a) => ({ prompt: last(a), insideGitRepo: false }),
};

/**
 * Recorded scenarios clinvk never produces: `--last`, text mode and `-o` are not used, and
 * the server-down runs point Codex at a dead server with harness-only config overrides.
 */
const NOT_USED = [
  "version",
  "resume-last-json",
  "text",
  "output-last-message",
  "error-server-down",
  "error-server-down-default-retries",
];

/** The recorder passed `-C DIR`; clinvk runs Codex in the directory instead. */
function withoutCd(argv: string[]): string[] {
  const index = argv.indexOf("-C");
  return index < 0 ? argv : [...argv.slice(0, index), ...argv.slice(index + 2)];
}

/** codexArgs() inside a git repository. */
const args = (request: TurnRequest) => codexArgs(request, { insideGitRepo: true });

for (const s of await scenarios("codex")) {
  const make = CASES[s.scenario];
  if (make === undefined) continue;
  Deno.test(`codexArgs() matches the recorded argv of ${s.scenario}`, () => {
    const { insideGitRepo = true, ...request } = make(s.argv);
    assert.deepEqual(["codex", ...codexArgs(request, { insideGitRepo })], withoutCd(s.argv));
  });
}

Deno.test("codex argv tests cover every recorded scenario", async () => {
  const names = (await scenarios("codex")).map((s) => s.scenario);
  assert.deepEqual(names.filter((n) => !(n in CASES) && !NOT_USED.includes(n)), []);
});

Deno.test("codexArgs() does not pass --ephemeral to exec resume, which ignores it", () => {
  assert.deepEqual(
    args({ prompt: "p", resumeId: "t-1", ephemeral: true }),
    ["exec", "resume", "--json", "t-1", "p"],
  );
});

Deno.test("codexArgs() passes --ephemeral to exec fork", () => {
  assert.deepEqual(
    args({ prompt: "p", resumeId: "t-1", fork: true, ephemeral: true }),
    ["exec", "fork", "--json", "--ephemeral", "t-1", "p"],
  );
});

Deno.test("codexArgs() skips the git check on resume outside a git repository", () => {
  assert.deepEqual(
    codexArgs({ prompt: "p", resumeId: "t-1", model: "gpt-5.5" }, { insideGitRepo: false }),
    ["exec", "resume", "--json", "-m", "gpt-5.5", "--skip-git-repo-check", "t-1", "p"],
  );
});

Deno.test("codexArgs() uses -s for a new run and -c sandbox_mode for resume and fork", () => {
  assert.deepEqual(
    args({ prompt: "p", sandboxMode: "workspace-write" }),
    ["exec", "--json", "-s", "workspace-write", "p"],
  );
  assert.deepEqual(
    args({ prompt: "p", resumeId: "t-1", sandboxMode: "read-only" }),
    ["exec", "resume", "--json", "-c", 'sandbox_mode="read-only"', "t-1", "p"],
  );
  assert.deepEqual(
    args({
      prompt: "p",
      resumeId: "t-1",
      fork: true,
      sandboxMode: "danger-full-access",
    }),
    ["exec", "fork", "--json", "-c", 'sandbox_mode="danger-full-access"', "t-1", "p"],
  );
});

Deno.test("codexArgs() maps approval modes: never adds nothing, bypass the bypass flag", () => {
  assert.deepEqual(args({ prompt: "p", approvalMode: "never" }), [
    "exec",
    "--json",
    "p",
  ]);
  assert.deepEqual(args({ prompt: "p", approvalMode: "bypass" }), [
    "exec",
    "--json",
    "--dangerously-bypass-approvals-and-sandbox",
    "p",
  ]);
});

Deno.test("codexArgs() rejects bad approval and sandbox values, listing the valid ones", () => {
  const usage = (hint: string) => (e: unknown) =>
    e instanceof ClinvkError && e.exitCode === ExitCode.Usage && e.hint === hint;
  assert.throws(
    () => args({ prompt: "p", approvalMode: "on-request" }),
    usage("Use one of: never, bypass."),
  );
  assert.throws(
    () => args({ prompt: "p", sandboxMode: "full" }),
    usage("Use one of: read-only, workspace-write, danger-full-access."),
  );
  assert.throws(
    () => args({ prompt: "p", approvalMode: "bypass", sandboxMode: "read-only" }),
    (e: unknown) => e instanceof ClinvkError && e.exitCode === ExitCode.Usage,
  );
});

Deno.test("codexArgs() puts prompts that could be misread after --", () => {
  assert.deepEqual(args({ prompt: "-v" }), ["exec", "--json", "--", "-v"]);
  assert.deepEqual(args({ prompt: "review" }), [
    "exec",
    "--json",
    "--",
    "review",
  ]);
  assert.deepEqual(args({ prompt: "--help", resumeId: "t-1" }), [
    "exec",
    "resume",
    "--json",
    "--",
    "t-1",
    "--help",
  ]);
});

Deno.test("codexArgs() ends extra args with -- so a multi-value option cannot swallow the prompt", () => {
  assert.deepEqual(
    args({ prompt: "describe it", extraArgs: ["-i", "shot.png"] }),
    ["exec", "--json", "-i", "shot.png", "--", "describe it"],
  );
});

Deno.test("codex resolveModel() maps aliases to Codex models", () => {
  assert.equal(codexBackend.resolveModel("fast"), "gpt-5.5-mini");
  assert.equal(codexBackend.resolveModel("balanced"), "gpt-5.5");
  assert.equal(codexBackend.resolveModel("best"), "gpt-5.6-sol");
  assert.equal(codexBackend.resolveModel("o3"), "o3");
});
