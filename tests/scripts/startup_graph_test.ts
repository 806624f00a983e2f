/**
 * What the commands load when they start (issue 8, start-up overhead). Deno prepares every
 * module a program's static imports and literal `import("…")`s reach, and evaluates those its
 * static imports reach. `clinvk version` must prepare nothing but the version; the command tree
 * (`--help`, `sessions list`) must not evaluate the backends or the turn engine, nor prepare the
 * server, runs or the YAML parser.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LAZY_MODULES } from "../../src/lazy_import.ts";
import { WORKER_MODULES } from "../../src/worker_modules.ts";
import { repoRoot } from "../support/clinvk.ts";

interface Info {
  roots: string[];
  redirects?: Record<string, string>;
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier?: string }; isDynamic?: boolean }[];
  }[];
}

/**
 * The modules Deno prepares when `entry` starts (with `staticOnly`: those it evaluates),
 * relative to the repository.
 */
async function prepared(entry: string, staticOnly = false): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", join(repoRoot, "deno.json"), join(repoRoot, entry)],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(output.success, "deno info failed");
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as Info;
  const byName = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    const raw = stack.pop()!;
    const specifier = info.redirects?.[raw] ?? raw;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of byName.get(specifier)?.dependencies ?? []) {
      if (dep.code?.specifier && !(staticOnly && dep.isDynamic)) stack.push(dep.code.specifier);
    }
  }
  const root = new URL(`file://${repoRoot}`).href;
  return [...seen].map((s) => s.startsWith(root) ? s.slice(root.length) : s).sort();
}

Deno.test("clinvk version prepares only the entry point and the version", async () => {
  const modules = await prepared("src/main.ts");
  assert.deepEqual(modules, [
    "src/cli/version_info.ts",
    "src/errors.ts",
    "src/lazy_import.ts",
    "src/main.ts",
    "src/module_url.ts",
    "src/output/safe_text.ts",
    "src/version.ts",
  ]);
});

Deno.test("the command tree evaluates no backend or engine module", async () => {
  const modules = await prepared("src/cli/app_main.ts", true);
  const engine =
    /^src\/(turns\/(engine|plan|backend_run|lifecycle)\.ts|backends\/(registry\.ts|[a-z]+\/index\.ts))/;
  assert.deepEqual(modules.filter((m) => engine.test(m)), []);
});

Deno.test("the command tree and a prompt evaluate no table: its width measure costs tens of ms", async () => {
  for (const entry of ["src/cli/app_main.ts", "src/cli/prompt_run.ts"]) {
    const modules = await prepared(entry, true);
    assert.deepEqual(
      modules.filter((m) => /string-width|^src\/output\/table\.ts$/.test(m)),
      [],
      entry,
    );
  }
});

Deno.test("the command tree prepares no server, runs or YAML module", async () => {
  const modules = await prepared("src/cli/app_main.ts");
  const heavy = modules.filter((m) =>
    /^src\/server\//.test(m) || (/^src\/runs\//.test(m) && m !== "src/runs/run_record.ts") ||
    /yaml|zod|hono/.test(m)
  );
  assert.deepEqual(heavy, []);
});

Deno.test("every lazily loaded module and every worker module exists", async () => {
  for (const path of [...LAZY_MODULES, ...WORKER_MODULES]) {
    assert.ok((await Deno.stat(join(repoRoot, path))).isFile, path);
  }
});

Deno.test("the command tree and the run commands prepare no NATS module (only --dispatch and clinvk worker do)", async () => {
  for (const entry of ["src/cli/app_main.ts", "src/cli/runs/run_machinery.ts"]) {
    const modules = await prepared(entry);
    const nats = modules.filter((m) => /@nats-io|^src\/dispatch\//.test(m));
    assert.deepEqual(nats, [], entry);
  }
  assert.ok(
    (await prepared("src/dispatch/nats/nats_dispatcher.ts")).some((m) => m.includes("@nats-io")),
    "the check would see them",
  );
});
