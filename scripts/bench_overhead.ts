/**
 * Start-up and per-turn overhead (issue 8), part of `deno task bench`: whole processes timed
 * side by side in one run, median of `runs`, interleaved so that a busy machine slows every
 * column alike.
 *
 * - Start-up: `deno eval 0` (Deno's own floor), `clinvk version`, `clinvk --help`,
 *   `clinvk sessions list` on an empty home; each as a ratio of `deno eval 0`.
 * - Per turn: a new-session prompt through clinvk against running the same backend executable
 *   directly with the very argv clinvk passes it (from `--dry-run`). The backend is a tiny shell
 *   script printing Claude's recorded `stream-json` answer, so the difference is clinvk's own
 *   cost: start-up, config, the session created, its id saved, the outcome saved. Then the
 *   same with a backend that answers after 500 ms (as a real one takes seconds): what clinvk
 *   does while the backend works (loading the price table) is hidden there.
 *
 * `checkouts` lists the source trees to measure (this one, and e.g. a checkout of an earlier
 * commit for the before/after figures of docs/performance.md), or a bundle's `main.js`
 * (`deno task bundle`).
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { permissionFlags } from "../src/permissions.ts";
import { denoDir } from "../tests/fixtures/fake_backends.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

/** One measured row: a label and its median wall time per checkout, in ms. */
export interface OverheadRow {
  label: string;
  /** Median ms per checkout, in the order of `checkouts`. */
  medians: number[];
}

/** What {@linkcode benchOverhead} measured. */
export interface OverheadFigures {
  checkouts: string[];
  startup: OverheadRow[];
  turn: OverheadRow[];
  /**
   * Where a prompt's overhead goes, with the 500 ms backend (medians, ms): when the backend
   * started after clinvk did, and when clinvk ended after the backend did.
   */
  timeline: OverheadRow[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time(command: string, args: string[], env: Record<string, string>, cwd: string) {
  const started = performance.now();
  const output = await new Deno.Command(command, {
    args,
    env,
    clearEnv: true,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - started;
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed:\n${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return { ms, stdout: new TextDecoder().decode(output.stdout) };
}

/** Times `cases` `runs` times each, interleaved; returns the medians. */
async function interleaved(
  cases: (() => Promise<{ ms: number }>)[],
  runs: number,
): Promise<number[]> {
  const samples: number[][] = cases.map(() => []);
  for (const run of cases) await run(); // warm Deno's caches
  for (let i = 0; i < runs; i++) {
    for (const [index, run] of cases.entries()) samples[index]!.push((await run()).ms);
  }
  return samples.map(median);
}

/** Measures start-up and per-turn overhead of each checkout. */
export async function benchOverhead(
  base: string,
  options: { runs: number; checkouts: string[] },
): Promise<OverheadFigures> {
  const sample = join(root, "tests", "fixtures", "samples", "claude", "new-stream-json.stdout");
  await Deno.mkdir(base, { recursive: true });
  const backend = join(base, "fast-claude");
  await Deno.writeTextFile(backend, `#!/bin/sh\nexec cat '${sample.replaceAll("'", "'\\''")}'\n`);
  await Deno.chmod(backend, 0o755);
  const slowBackend = join(base, "slow-claude");
  // It notes when it started and ended (ns), for the timeline: run by clinvk, in CLINVK_HOME
  // (run directly, it does the same work elsewhere).
  const notes = join(base, "direct");
  await Deno.mkdir(notes, { recursive: true });
  const note = (name: string) => `date +%s%N > "\${CLINVK_HOME:-${notes}}/.bench-${name}"\n`;
  await Deno.writeTextFile(
    slowBackend,
    `#!/bin/sh\n${note("started")}sleep 0.5\ncat '${sample.replaceAll("'", "'\\''")}'\n${
      note("ended")
    }`,
  );
  await Deno.chmod(slowBackend, 0o755);
  const work = join(base, "work");
  await Deno.mkdir(join(work, ".git"), { recursive: true });
  const deno = Deno.execPath();
  // Deno's cache (its npm packages) stays where it is while HOME is a temp directory.
  const cache = denoDir();
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    ...(cache ? { DENO_DIR: cache } : {}),
    HOME: join(base, "home"),
    NO_COLOR: "1",
    // No TZ, as for most users: what clinvk pays to learn the system's time zone is then seen.
  };
  const homes = options.checkouts.map((_, i) => join(base, `clinvk-${i}`));
  const slowHomes = options.checkouts.map((_, i) => join(base, `clinvk-slow-${i}`));
  for (
    const [home, command] of [
      ...homes.map((h) => [h, backend]),
      ...slowHomes.map((h) => [h, slowBackend]),
    ]
  ) {
    await Deno.mkdir(home!, { recursive: true });
    await Deno.writeTextFile(
      join(home!, "config.yaml"),
      `backends:\n  claude:\n    command: ${command}\n`,
    );
  }
  // A checkout runs from its sources; a bundle's main.js as it is, without clinvk's deno.json.
  const program = (checkout: string) =>
    checkout.endsWith(".js")
      ? [checkout]
      : ["--config", join(checkout, "deno.json"), join(checkout, "src", "main.ts")];
  const clinvk = (checkout: string, home: string, args: string[]) => () =>
    time(
      deno,
      ["run", "--quiet", ...permissionFlags(), ...program(checkout), ...args],
      { ...env, CLINVK_HOME: home },
      work,
    );

  const emptyHomes = options.checkouts.map((_, i) => join(base, `empty-${i}`));
  const startupCases = [
    () => time(deno, ["eval", "0"], env, work),
    ...options.checkouts.flatMap((checkout, i) => [
      clinvk(checkout, emptyHomes[i]!, ["version"]),
      clinvk(checkout, emptyHomes[i]!, ["--help"]),
      clinvk(checkout, emptyHomes[i]!, ["sessions", "list"]),
    ]),
  ];
  const startup = await interleaved(startupCases, options.runs);
  const labels = ["clinvk version", "clinvk --help", "clinvk sessions list (empty)"];

  // The argv clinvk runs the backend with, as its dry run prints it.
  const dry = await clinvk(options.checkouts[0]!, homes[0]!, [
    "-b",
    "claude",
    "-o",
    "json",
    "--dry-run",
    "hi",
  ])();
  const argv = JSON.parse(dry.stdout).argv as string[];
  const started = options.checkouts.map((): number[] => []);
  const ended = options.checkouts.map((): number[] => []);
  const noted = async (home: string, name: string) =>
    Number(BigInt((await Deno.readTextFile(join(home, `.bench-${name}`))).trim()) / 1000n) / 1000;
  const turnCases = [
    () => time(argv[0]!, argv.slice(1), env, work),
    ...options.checkouts.map((checkout, i) => clinvk(checkout, homes[i]!, ["-b", "claude", "hi"])),
    () => time(slowBackend, argv.slice(1), env, work),
    ...options.checkouts.map((checkout, i) => async () => {
      const home = slowHomes[i]!;
      const at = Date.now();
      const result = await clinvk(checkout, home, ["-b", "claude", "hi"])();
      started[i]!.push(await noted(home, "started") - at);
      ended[i]!.push(Date.now() - await noted(home, "ended"));
      return result;
    }),
  ];
  const turn = await interleaved(turnCases, options.runs);
  const slow = 1 + options.checkouts.length;
  return {
    checkouts: options.checkouts,
    startup: [
      { label: "deno eval 0", medians: options.checkouts.map(() => startup[0]!) },
      ...labels.map((label, l) => ({
        label,
        medians: options.checkouts.map((_, i) => startup[1 + i * labels.length + l]!),
      })),
    ],
    turn: [
      { label: "backend run directly", medians: options.checkouts.map(() => turn[0]!) },
      {
        label: "new session through clinvk",
        medians: options.checkouts.map((_, i) => turn[1 + i]!),
      },
      {
        label: "backend answering after 500 ms, directly",
        medians: options.checkouts.map(() => turn[slow]!),
      },
      {
        label: "new session through clinvk (500 ms backend)",
        medians: options.checkouts.map((_, i) => turn[slow + 1 + i]!),
      },
    ],
    // The first sample is the warm-up run's.
    timeline: [
      {
        label: "the backend started, after clinvk did",
        medians: started.map((ms) => median(ms.slice(1))),
      },
      {
        label: "clinvk ended, after the backend did",
        medians: ended.map((ms) => median(ms.slice(1))),
      },
    ],
  };
}
