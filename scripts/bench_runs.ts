/**
 * The run engine's benchmark (issue 10), part of `deno task bench`: one `clinvk parallel` of
 * many tasks on a fake backend that answers after a fixed delay, against the ideal
 * `ceil(tasks / max_parallel) × delay`, and the clinvk process's peak resident memory.
 *
 * The fake is a tiny shell script that sleeps, then prints Claude's recorded `stream-json`
 * answer (`tests/fixtures/samples/claude/new-stream-json.stdout`), so the figure is clinvk's own
 * overhead — planning, sessions created and saved, the run record, scheduling, parsing — and
 * not the start-up of a heavier fake.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { permissionFlags } from "../src/permissions.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

/** What to run. */
export interface RunBenchOptions {
  tasks: number;
  maxParallel: number;
  delayMs: number;
}

/** What it measured. */
export interface RunBenchFigure extends RunBenchOptions {
  seconds: number;
  idealSeconds: number;
  ratio: number;
  /** Peak resident set of the clinvk process (VmHWM), in MiB; `null` where /proc is missing. */
  peakRssMiB: number | null;
  done: number;
}

/** Writes the fake `claude` (sleeps `delayMs`, then prints the recorded stream) into `dir`. */

/**
 * Starts this checkout's clinvk with the documented permissions, in `cwd`, with `home` as
 * `CLINVK_HOME` and none of the caller's other `CLINVK_*` settings; output piped.
 */
export function spawnClinvk(args: string[], home: string, cwd: string): Deno.ChildProcess {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([key]) => !key.startsWith("CLINVK_")),
  );
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      join(root, "deno.json"),
      ...permissionFlags(),
      join(root, "src", "main.ts"),
      ...args,
    ],
    cwd,
    env: { ...env, CLINVK_HOME: home, NO_COLOR: "1", TZ: "UTC" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

export async function writeFakeClaude(dir: string, delayMs: number): Promise<string> {
  const sample = join(root, "tests", "fixtures", "samples", "claude", "new-stream-json.stdout");
  const path = join(dir, "fake-claude");
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\nsleep ${delayMs / 1000}\nexec cat '${sample.replaceAll("'", "'\\''")}'\n`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

/**
 * Peak RSS of `pid` so far, in KiB, from /proc (Linux). Deno reads `/proc` only with
 * `--allow-all`, so `cat` reads it.
 */
export async function peakRssKiB(pid: number): Promise<number | undefined> {
  const out = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  if (!out?.success) return undefined;
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(new TextDecoder().decode(out.stdout));
  return match ? Number(match[1]) : undefined;
}

/** Runs the benchmark in `base` (a temp directory the caller removes). */
export async function benchRun(base: string, options: RunBenchOptions): Promise<RunBenchFigure> {
  const home = join(base, "runs-home");
  const work = join(base, "runs-work");
  await Deno.mkdir(home, { recursive: true });
  await Deno.mkdir(work, { recursive: true });
  const fake = await writeFakeClaude(base, options.delayMs);
  await Deno.writeTextFile(
    join(home, "config.yaml"),
    `backends:\n  claude:\n    command: ${fake}\n`,
  );
  const tasks = Array.from(
    { length: options.tasks },
    (_, i) => `  - { id: t${i + 1}, backend: claude, prompt: "task number ${i + 1}" }`,
  );
  const file = join(base, "bench-tasks.yaml");
  await Deno.writeTextFile(file, `tasks:\n${tasks.join("\n")}\n`);
  const started = performance.now();
  const child = spawnClinvk(
    ["parallel", "-f", file, "--max-parallel", String(options.maxParallel), "--json", "-q"],
    home,
    work,
  );
  let peak: number | undefined;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = (await peakRssKiB(child.pid)) ?? peak;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const output = await child.output();
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await sampler;
  if (output.code !== 0) {
    throw new Error(
      `clinvk parallel exited ${output.code}: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  const result = JSON.parse(new TextDecoder().decode(output.stdout)) as { completed: number };
  const idealSeconds = (options.tasks / options.maxParallel) * options.delayMs / 1000;
  return {
    ...options,
    seconds,
    idealSeconds,
    ratio: seconds / idealSeconds,
    peakRssMiB: peak === undefined ? null : peak / 1024,
    done: result.completed,
  };
}
