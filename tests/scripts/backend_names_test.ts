/**
 * Backends are plug-ins (issue 8): what differs between them lives in `src/backends/<name>/`,
 * so the turn engine, the command line and the session store never name one. This is the
 * acceptance check `grep -rn '"claude"\|"codex"\|"gemini"' src/turns src/cli src/sessions`.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { repoRoot } from "../support/clinvk.ts";

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("no backend name appears in src/turns, src/cli or src/sessions", async () => {
  const hits: string[] = [];
  for (const dir of ["turns", "cli", "sessions"]) {
    for await (const path of sourceFiles(join(repoRoot, "src", dir))) {
      const lines = (await Deno.readTextFile(path)).split("\n");
      lines.forEach((line, i) => {
        if (/"(claude|codex|gemini)"/.test(line)) {
          hits.push(`${relative(repoRoot, path)}:${i + 1}: ${line.trim()}`);
        }
      });
    }
  }
  assert.deepEqual(hits, [], "backend names belong in src/backends/<name>/ and the registry");
});
