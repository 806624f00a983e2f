/**
 * Reading run files: clinvk's YAML, clinvoker's JSON, and every mistake reported once at its
 * file:line:column.
 */
import assert from "node:assert/strict";
import { parseRunText, parseRunValue, RunFileError } from "../../src/runs/run_file.ts";
import type { RunKind } from "../../src/runs/run_spec.ts";

const BACKENDS = ["claude", "codex", "gemini"];

function parse(text: string, kind: RunKind = "parallel") {
  return parseRunText(text, { file: "tasks.yaml", kind, backends: BACKENDS });
}

/** The formatted problems of a file that must not parse. */
function problems(text: string, kind: RunKind = "parallel"): string[] {
  try {
    parse(text, kind);
  } catch (error) {
    assert.ok(error instanceof RunFileError, String(error));
    assert.equal(error.exitCode, 2);
    return error.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
  assert.fail("expected the file to be rejected");
}

Deno.test("parseRunText() reads a YAML run with needs, templates, resume and defaults", () => {
  const { spec, warnings } = parse(`
name: batch
max_parallel: 2
max_tokens: 5000
defaults:
  backend: codex
  timeout: 30m
  retries: 2
tasks:
  - id: plan
    backend: claude
    prompt: Write a plan
  - id: build
    prompt: "Do it: {{tasks.plan.output}}"
    idle_timeout: 90s
    worktree: true
    check: deno task test
    tags: [x, x, y]
  - id: review
    resume: task:plan
    prompt: Review {{ tasks.build.session_id }}
`);
  assert.deepEqual(warnings, []);
  assert.equal(spec.name, "batch");
  assert.equal(spec.max_parallel, 2);
  assert.equal(spec.max_tokens, 5000);
  const [plan, build, review] = spec.tasks;
  assert.equal(plan!.backend, "claude");
  assert.equal(build!.backend, "codex", "defaults apply to tasks that set nothing");
  assert.deepEqual(build!.needs, ["plan"], "a template makes its task a need");
  assert.equal(build!.timeout_seconds, 1800);
  assert.equal(build!.idle_timeout_seconds, 90);
  assert.equal(build!.retries, 2);
  assert.equal(build!.worktree, true);
  assert.equal(build!.check, "deno task test");
  assert.deepEqual(build!.tags, ["x", "y"]);
  assert.deepEqual(review!.resume, { kind: "task", task_id: "plan" });
  assert.deepEqual(review!.needs.sort(), ["build", "plan"], "resume and templates add needs");
});

Deno.test("parseRunText() accepts clinvoker's parallel tasks JSON unchanged", () => {
  const { spec, warnings } = parse(JSON.stringify({
    tasks: [
      {
        backend: "claude",
        prompt: "review auth module",
        id: "task-1",
        name: "Auth Review",
        model: "claude-opus-4-5-20251101",
        approval_mode: "auto",
        sandbox_mode: "workspace",
        max_turns: 10,
        workdir: "/tmp",
        tags: ["security"],
        meta: { ticket: "T-1" },
      },
      { backend: "codex", prompt: "add logging to api", output_format: "json", verbose: true },
      { backend: "gemini", prompt: "generate tests for utils", dry_run: true },
    ],
    max_parallel: 3,
    fail_fast: true,
    output_dir: "./out",
  }));
  assert.equal(spec.max_parallel, 3);
  assert.equal(spec.fail_fast, true);
  assert.equal(spec.output_dir, "./out");
  assert.deepEqual(spec.tasks.map((t) => t.id), ["task-1", "task-2", "task-3"]);
  assert.equal(spec.tasks[0]!.name, "Auth Review");
  assert.deepEqual(spec.tasks[0]!.meta, { ticket: "T-1" });
  assert.equal(spec.tasks[2]!.dry_run, true);
  assert.deepEqual(spec.tasks.map((t) => t.needs), [[], [], []]);
  // Per-task approval/sandbox modes cannot be honoured per task: said, with where.
  assert.deepEqual(
    warnings.map((w) => `${w.line}:${w.path}`),
    ["1:tasks[0].approval_mode", "1:tasks[0].sandbox_mode", "1:tasks[0].max_turns"],
  );
  assert.match(warnings[0]!.message, /backends\.<name>\.approval_mode/);
});

Deno.test("parseRunText() reads clinvoker's chain steps JSON as a chain", () => {
  const { spec } = parse(
    JSON.stringify({
      steps: [
        { name: "initial-review", backend: "claude", prompt: "Review this code" },
        {
          name: "security-check",
          backend: "gemini",
          prompt: "Check: {{previous}}",
          workdir: "/tmp",
        },
        { name: "fix", backend: "codex", prompt: "Fix: {{previous}}" },
      ],
      stop_on_failure: false,
      pass_working_dir: true,
    }),
    "chain",
  );
  assert.equal(spec.kind, "chain");
  assert.equal(spec.pass_working_dir, true);
  assert.deepEqual(spec.tasks.map((t) => t.id), ["step-1", "step-2", "step-3"]);
  assert.deepEqual(spec.tasks.map((t) => t.needs), [[], ["step-1"], ["step-2"]]);
  assert.deepEqual(spec.tasks.map((t) => t.previous), [undefined, "step-1", "step-2"]);
  assert.deepEqual(spec.tasks.map((t) => t.after_failure), [undefined, true, true]);
});

Deno.test("parseRunText() chains with pass_session_id resume the step before", () => {
  const { spec } = parse(
    `{"steps": [{"backend": "claude", "prompt": "a"}, {"prompt": "b"}], "pass_session_id": true}`,
    "chain",
  );
  assert.deepEqual(spec.tasks[1]!.resume, { kind: "task", task_id: "step-1" });
});

Deno.test("parseRunText() takes a bare list of tasks", () => {
  const { spec } = parse("- prompt: one\n- prompt: two\n  needs: task-1\n");
  assert.deepEqual(spec.tasks.map((t) => [t.id, t.needs]), [["task-1", []], ["task-2", [
    "task-1",
  ]]]);
});

Deno.test("parseRunText() reports wrong values at their line and column", () => {
  assert.deepEqual(
    problems(`tasks:
  - id: a
    prompt: hi
    timeout: soon
    retries: -1
    worktree: "yes"
`),
    [
      `4:14 tasks[0].timeout: expected seconds or a duration like 90s, 30m or 1h30m, got "soon"`,
      `5:14 tasks[0].retries: must be at least 0`,
      `6:15 tasks[0].worktree: expected true or false, got "yes"`,
    ],
  );
});

Deno.test("parseRunText() points at an unknown key and suggests the right one", () => {
  assert.deepEqual(problems("tasks:\n  - prompt: hi\n    nedds: [x]\n"), [
    `3:5 tasks[0]: unknown key "nedds" (did you mean "needs"?)`,
  ]);
  assert.deepEqual(problems("task:\n  - prompt: hi\n"), [
    `1:1 : unknown key "task" (did you mean "tasks"?)`,
  ]);
});

Deno.test("parseRunText() reports a missing prompt, an empty prompt and an unknown backend", () => {
  assert.deepEqual(problems("tasks:\n  - id: a\n"), [`2:5 tasks[0]: "prompt" is required`]);
  assert.deepEqual(problems("tasks:\n  - prompt: '  '\n"), [
    "2:13 tasks[0].prompt: The prompt is empty",
  ]);
  assert.deepEqual(problems("tasks:\n  - prompt: hi\n    backend: cluade\n"), [
    `3:14 tasks[0].backend: unknown backend "cluade" (known: claude, codex, gemini)`,
  ]);
});

Deno.test("parseRunText() rejects broken graphs with the task's position", () => {
  assert.deepEqual(
    problems("tasks:\n  - id: a\n    prompt: x\n  - id: a\n    prompt: y\n"),
    [`4:9 tasks[1].id: duplicate task id "a" (also task 1)`],
  );
  assert.deepEqual(problems("tasks:\n  - prompt: x\n    needs: [nope]\n"), [
    `3:12 tasks[0].needs: unknown task "nope" in needs`,
  ]);
  assert.deepEqual(
    problems(
      "tasks:\n  - id: a\n    needs: b\n    prompt: x\n  - id: b\n    needs: [a]\n    prompt: y\n",
    ),
    ["3:12 tasks[0].needs: tasks depend on each other in a cycle: a → b → a"],
  );
  assert.deepEqual(problems("tasks:\n  - id: a\n    prompt: 'use {{tasks.zz.output}}'\n"), [
    `3:13 tasks[0].prompt: {{tasks.zz.output}} refers to unknown task "zz"`,
  ]);
  assert.deepEqual(problems("tasks:\n  - id: a\n    prompt: 'use {{tasks.a.bogus}}'\n"), [
    `3:13 tasks[0].prompt: unknown field "bogus" in {{tasks.a.bogus}} (use output or session_id)`,
  ]);
});

Deno.test("parseRunText() needs {{previous}} to name exactly one task outside chains", () => {
  const [problem] = problems("tasks:\n  - prompt: 'go {{previous}}'\n");
  assert.match(
    problem!,
    /^2:13 tasks\[0\]\.prompt: \{\{previous\}\} needs exactly one task in needs/,
  );
  const { spec } = parse(
    "tasks:\n  - id: a\n    prompt: x\n  - prompt: 'go {{previous}}'\n    needs: a\n",
  );
  assert.equal(spec.tasks[1]!.previous, "a");
});

Deno.test("parseRunText() refuses two unordered tasks resuming one session", () => {
  const found = problems(`tasks:
  - id: a
    prompt: x
  - id: b
    resume: task:a
    prompt: y
  - id: c
    resume: task:a
    prompt: z
`);
  assert.equal(found.length, 1);
  assert.match(found[0]!, /^8:13 tasks\[2\]\.resume: tasks "b" and "c" both resume task:a/);
  // Ordered, they take turns.
  parse(`tasks:
  - id: a
    prompt: x
  - id: b
    resume: task:a
    prompt: y
  - id: c
    needs: b
    resume: task:a
    prompt: z
`);
});

Deno.test("parseRunText() refuses sessions of ephemeral tasks", () => {
  const found = problems(`tasks:
  - id: a
    ephemeral: true
    prompt: x
  - resume: task:a
    prompt: y
`);
  assert.deepEqual(found, [
    `5:13 tasks[1].resume: resume: task "a" is ephemeral and has no session`,
  ]);
});

Deno.test("parseRunText() reports YAML syntax errors and empty files with a position", () => {
  const [syntax] = problems("tasks: [\n  - prompt: x\n");
  assert.match(syntax!, /^\d+:\d+ : /);
  assert.deepEqual(problems(""), ["1:1 : the run file is empty"]);
  assert.deepEqual(problems("tasks: []\n"), ["1:8 tasks: the task list is empty"]);
  assert.deepEqual(problems("name: x\n"), ["1:1 : no tasks: add a list under tasks: (or steps:)"]);
});

Deno.test("RunFileError's message is one line naming the file, line and column", () => {
  try {
    parse("tasks:\n  - prompt: x\n    timeout: soon\n    retries: x\n");
    assert.fail("expected an error");
  } catch (error) {
    assert.ok(error instanceof RunFileError);
    assert.equal(error.message.split("\n").length, 1);
    assert.match(
      error.message,
      /^Invalid run file tasks\.yaml:3:14: tasks\[0\]\.timeout: .* \(and 1 more problem\)$/,
    );
  }
});

Deno.test("parseRunValue() validates a parsed JSON body and names the path of each problem", () => {
  try {
    parseRunValue({ tasks: [{ prompt: "x", retries: "2" }] }, { file: "", kind: "parallel" });
    assert.fail("expected an error");
  } catch (error) {
    assert.ok(error instanceof RunFileError);
    assert.equal(error.message, `Invalid run file tasks[0].retries: expected a number, got "2"`);
  }
  const { spec } = parseRunValue({ tasks: [{ prompt: "x" }] }, { file: "", kind: "parallel" });
  assert.equal(spec.tasks[0]!.id, "task-1");
});
