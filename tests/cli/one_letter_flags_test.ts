/**
 * One-letter flags written with two dashes (`clinvk compare --n 3`, as the issue and README
 * spell it): spelled `-n` before parsing when the command has that alias — never taken out of
 * the prompt's words after `--`, nor from a flag's value.
 */
import assert from "node:assert/strict";
import { routes } from "../../src/cli/app.ts";
import { spellOneLetterFlags } from "../../src/cli/one_letter_flags.ts";
import { readFakeLog } from "../fixtures/fake_backends.ts";
import { withSandbox } from "../support/clinvk.ts";

const spell = (...args: string[]) => spellOneLetterFlags(args, routes);

Deno.test("spellOneLetterFlags() spells --x as -x for the aliases of the command being run", () => {
  assert.deepEqual(spell("compare", "x", "--n", "3", "--backends", "a"), [
    "compare",
    "x",
    "-n",
    "3",
    "--backends",
    "a",
  ]);
  assert.deepEqual(spell("compare", "--n=3", "x"), ["compare", "-n=3", "x"]);
  assert.deepEqual(spell("sessions", "list", "--n", "5"), ["sessions", "list", "-n", "5"]);
  assert.deepEqual(spell("sessions", "ls", "--b", "codex"), ["sessions", "ls", "-b", "codex"]);
  // The default command (a prompt): its own aliases.
  assert.deepEqual(spell("--b", "codex", "hello"), ["-b", "codex", "hello"]);
});

Deno.test("spellOneLetterFlags() leaves words after --, flag values and unknown letters alone", () => {
  for (
    const args of [
      ["compare", "--backends", "a", "--", "explain", "--n", "2"],
      ["compare", "--check", "--n", "x"],
      ["compare", "-m", "--n", "x"],
      ["compare", "x", "--z", "1"],
      ["sessions", "list", "--json"],
      ["explain", "--n", "flag"],
      ["--", "--b", "x"],
    ]
  ) {
    assert.deepEqual(spell(...args), args, args.join(" "));
  }
});

Deno.test("compare --n K, --n=K and -n K run K candidates; words after -- stay the prompt", async () => {
  await withSandbox(async (sb) => {
    const tasks = async (...args: string[]) => {
      const result = await sb.run(["compare", "--backends", "claude", "--json", ...args]);
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout);
      return [out.prompt, out.results.map((r: { task_id: string }) => r.task_id)];
    };
    assert.deepEqual(await tasks("x", "--n", "2"), ["x", ["claude-1", "claude-2"]]);
    assert.deepEqual(await tasks("--n=2", "y"), ["y", ["claude-1", "claude-2"]]);
    assert.deepEqual(await tasks("-n", "2", "z"), ["z", ["claude-1", "claude-2"]]);
    assert.deepEqual(await tasks("--", "explain", "the", "--n", "2", "flag"), [
      "explain the --n 2 flag",
      ["claude"],
    ]);
    const argv = (await readFakeLog(sb.log)).at(-1)!.argv;
    assert.equal(argv[argv.indexOf("-p") + 1], "explain the --n 2 flag");
  });
});
