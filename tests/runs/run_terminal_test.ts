/**
 * The live view on a real pseudo-terminal (util-linux `script`): running tasks redrawn in
 * place with a spinner, finished tasks scrolling above, a footer with counts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, RUN_PERMISSIONS, withSandbox } from "../support/clinvk.ts";
import { writeRunFile } from "./helpers.ts";

Deno.test("clinvk parallel on a terminal draws a live view of running tasks and a footer", async () => {
  await withSandbox(async (sb) => {
    const file = await writeRunFile(
      sb,
      "t.yaml",
      `tasks:
  - { id: slow-one, backend: claude, prompt: "one [[fake:sleep=900]]" }
  - { id: slow-two, backend: codex, prompt: "two [[fake:sleep=900]]" }
`,
    );
    const clinvk = [
      Deno.execPath(),
      "run",
      "--quiet",
      "--config",
      join(repoRoot, "deno.json"),
      ...RUN_PERMISSIONS,
      join(repoRoot, "src", "main.ts"),
      "parallel",
      "-f",
      file,
    ].map((word) => `'${word.replaceAll("'", `'"'"'`)}'`).join(" ");
    const { env } = sb;
    // The answers go to a file: the terminal shows stderr, the live view.
    const output = await new Deno.Command("script", {
      args: ["-qec", `${clinvk} > ${sb.dir}/answers.txt; echo "exit=$?"`, "/dev/null"],
      cwd: sb.work,
      env: { ...env, TERM: "xterm", COLUMNS: "100", LINES: "30" },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const screen = new TextDecoder().decode(output.stdout);
    assert.match(screen, /exit=0/, screen);
    assert.match(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] slow-one\s+claude\s+00:0\d/, "a line per running task");
    assert.match(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] slow-two\s+codex\s+00:0\d/);
    assert.match(
      screen,
      /run [a-z0-9]{10}: 0\/2 done · 2 running · [\d,]+ tokens · 00:0\d/,
      "a footer",
    );
    const redraw = new RegExp(String.raw`\x1b\[\d+A\r\x1b\[J`);
    assert.match(screen, redraw, "the region is redrawn in place");
    assert.match(screen, /✓ \[slow-one\] done in/, "finished tasks scroll above");
    assert.match(screen, /✓ \[slow-two\] done in/);
    const answers = await Deno.readTextFile(join(sb.dir, "answers.txt"));
    assert.match(answers, /=== slow-one \(claude, done\) ===\nECHO turn=1: one/);
  });
});
