/**
 * `deno task bench`: how clinvk's session store behaves at 1,000, 10,000 and 100,000 sessions
 * (issue 4; the figures and how to read them are in `docs/performance.md`).
 *
 * For each size it writes the session files directly, the way a user restoring a backup would,
 * so the first clinvk command has to build the catalog; then it times whole `clinvk` processes
 * (median of `--runs`), because process start-up is what a user waits for and the targets are
 * stated relative to `clinvk version`. Then `usage daily --by backend` over `--turns` recorded
 * turns (journals written directly, the catalog built by an untimed first run), and locked
 * write throughput with 1, 4 and 16 writer processes updating the same few sessions, checking
 * that no update was lost.
 * Everything lives in a temp directory that is removed at the end.
 *
 * First (issue 8) start-up and per-turn overhead (`scripts/bench_overhead.ts`) of this
 * checkout from its sources and as its bundle (`deno task bundle`), optionally of other
 * checkouts side by side (`--compare DIR,…`, e.g. a worktree of an earlier commit).
 *
 * Then (issue 10) one `clinvk parallel` of `--run-tasks` tasks at `--run-parallel` on a fake
 * backend that answers after `--run-delay-ms`, against the ideal time, with its peak memory
 * (`scripts/bench_runs.ts`). `--suite store` or `--suite runs` runs one part only.
 *
 * Usage: deno task bench [--sizes 1000,10000,100000] [--runs 5] [--writers 1,4,16]
 *                        [--updates 1024] [--turns 1000000] [--run-tasks 200] [--run-parallel 16]
 *                        [--run-delay-ms 1000] [--suite overhead,store,runs] [--compare DIR,…]
 *                        [--json]
 * @module
 */
import { permissionFlags } from "../src/permissions.ts";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { generateId } from "../src/sessions/ids.ts";
import { encodeRecord } from "../src/sessions/session_file.ts";
import type { SessionRecord } from "../src/sessions/record.ts";
import { SCHEMA_VERSION } from "../src/sessions/record.ts";
import { formatTimestamp } from "../src/sessions/time.ts";
import { benchOverhead, type OverheadFigures } from "./bench_overhead.ts";
import { buildBundle } from "./bundle.ts";
import { benchRun, type RunBenchFigure } from "./bench_runs.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const mainTs = join(root, "src", "main.ts");
const writerTs = join(root, "scripts", "bench_writer.ts");
const denoJson = join(root, "deno.json");
const DAY_MS = 86_400_000;

/** Bench settings from the command line. */
interface Options {
  sizes: number[];
  runs: number;
  writers: number[];
  updates: number;
  turns: number;
  runTasks: number;
  runParallel: number;
  runDelayMs: number;
  suites: Set<string>;
  /** Further source trees whose start-up and per-turn overhead is measured beside this one. */
  checkouts: string[];
  json: boolean;
}

const USAGE = "usage: deno task bench [--sizes 1000,10000,100000] [--runs 5] " +
  "[--writers 1,4,16] [--updates 1024] [--turns 1000000] [--run-tasks 200] [--run-parallel 16] " +
  "[--run-delay-ms 1000] [--suite overhead,store,runs] [--compare DIR,...] [--json]";

function parseOptions(args: string[]): Options {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  let values;
  try {
    ({ values } = parseArgs({ args, options: optionSpec }));
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}\n${USAGE}`);
    Deno.exit(2);
  }
  return toOptions(values);
}

const optionSpec = {
  sizes: { type: "string", default: "1000,10000,100000" },
  runs: { type: "string", default: "5" },
  writers: { type: "string", default: "1,4,16" },
  updates: { type: "string", default: "1024" },
  turns: { type: "string", default: "1000000" },
  "run-tasks": { type: "string", default: "200" },
  "run-parallel": { type: "string", default: "16" },
  "run-delay-ms": { type: "string", default: "1000" },
  suite: { type: "string", default: "overhead,store,runs" },
  compare: { type: "string", default: "" },
  json: { type: "boolean", default: false },
} as const;

function toOptions(values: {
  sizes: string;
  runs: string;
  writers: string;
  updates: string;
  turns: string;
  "run-tasks": string;
  "run-parallel": string;
  "run-delay-ms": string;
  suite: string;
  compare: string;
  json: boolean;
}): Options {
  const numbers = (text: string, what: string) =>
    text.split(",").map((part) => {
      const value = Number(part.replaceAll("_", ""));
      if (!Number.isInteger(value) || value < 1) throw new Error(`Bad ${what}: "${part}"`);
      return value;
    });
  const [runs] = numbers(values.runs, "--runs");
  const [updates] = numbers(values.updates, "--updates");
  const [turns] = numbers(values.turns, "--turns");
  const suites = new Set(values.suite.split(",").map((s) => s.trim()));
  for (const suite of suites) {
    if (!["overhead", "store", "runs"].includes(suite)) throw new Error(`Bad --suite: "${suite}"`);
  }
  return {
    sizes: suites.has("store") ? numbers(values.sizes, "--sizes") : [],
    runs: runs!,
    writers: suites.has("store") ? numbers(values.writers, "--writers") : [],
    updates: updates!,
    turns: suites.has("store") ? turns! : 0,
    runTasks: numbers(values["run-tasks"], "--run-tasks")[0]!,
    runParallel: numbers(values["run-parallel"], "--run-parallel")[0]!,
    runDelayMs: numbers(values["run-delay-ms"], "--run-delay-ms")[0]!,
    suites,
    checkouts: values.compare.split(",").map((dir) => dir.trim()).filter(Boolean),
    json: values.json,
  };
}

function say(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The environment of every clinvk run: the caller's, minus anything that configures clinvk. */
function clinvkEnv(home: string): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([key]) => !key.startsWith("CLINVK_")),
  );
  return { ...env, CLINVK_HOME: home, NO_COLOR: "1", TZ: "UTC" };
}

/** Runs one whole clinvk process and returns its wall time in ms; throws when it fails. */
async function timeClinvk(home: string, args: string[], cwd: string): Promise<number> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      denoJson,
      // Exactly the permissions users run clinvk with.
      ...permissionFlags(),
      mainTs,
      ...args,
    ],
    cwd,
    env: clinvkEnv(home),
    clearEnv: true,
    stdin: "null",
    // Like hyperfine: the output goes to /dev/null, so a reading parent does not share the clock.
    stdout: "null",
    stderr: "piped",
  });
  const started = performance.now();
  const output = await command.output();
  const elapsed = performance.now() - started;
  if (output.code !== 0) {
    const stderr = new TextDecoder().decode(output.stderr);
    throw new Error(`clinvk ${args.join(" ")} exited ${output.code}: ${stderr}`);
  }
  return elapsed;
}

/** Maps `items` through `fn`, `limit` at a time (file writes are faster a few at once). */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const BACKENDS = ["claude", "codex", "gemini"] as const;
const MODELS = { claude: "claude-opus-4-8", codex: "gpt-5.5", gemini: "gemini-3-pro" } as const;
const WORDS = ["fix", "the", "auth", "bug", "add", "tests", "refactor", "parser", "docs", "api"];

/**
 * A plausible session: last used within the past 35 days (so `clean --dry-run` at the default
 * 30-day retention finds about one in seven), most of them resumable, a few tags each.
 */
function sessionRecord(id: string, i: number, size: number, now: number, workdir: string) {
  const backend = BACKENDS[i % 3]!;
  const lastUsed = now - Math.floor(((size - i) / size) * 35 * DAY_MS);
  const prompt = Array.from({ length: 8 }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length])
    .join(" ");
  const input = 1000 + (i % 977);
  const record: SessionRecord = {
    id,
    backend,
    backend_session_id: i % 10 === 0 ? null : `bench-${backend}-${i}`,
    model: MODELS[backend],
    status: i % 10 === 0 ? "error" : "completed",
    created_at: formatTimestamp(new Date(lastUsed - (i % 50) * 60_000)),
    last_used_at: formatTimestamp(new Date(lastUsed)),
    workdir,
    prompt: `${prompt} #${i}`,
    title: null,
    token_usage: {
      input,
      output: 200 + (i % 313),
      cached: i % 500,
      total: input + 200 + (i % 313),
    },
    tags: ["bench", `t${i % 7}`],
    parent_id: null,
    turn_count: 1 + (i % 4),
    error: i % 10 === 0 ? "backend exited 1" : null,
    metadata: { exit_code: i % 10 === 0 ? 1 : 0, duration_seconds: 2.5 },
    schema_version: SCHEMA_VERSION,
  };
  return record;
}

/** Writes `size` session files straight into `<home>/sessions`; returns their ids, oldest first. */
async function restoreBackup(home: string, size: number, workdir: string): Promise<string[]> {
  const dir = join(home, "sessions");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const ids = new Set<string>();
  while (ids.size < size) ids.add(generateId());
  const ordered = [...ids];
  const now = Date.now();
  await pool(ordered.map((id, i) => ({ id, i })), 32, async ({ id, i }) => {
    const bytes = encodeRecord(sessionRecord(id, i, size, now, workdir));
    await Deno.writeFile(join(dir, `${id}.json`), bytes, { mode: 0o600 });
  });
  return ordered;
}

/** One timed operation at one size. */
interface Figure {
  label: string;
  ms: number;
}

/** Times `args` `runs` times (after one untimed warm-up unless `cold`) and takes the median. */
async function measure(
  home: string,
  cwd: string,
  runs: number,
  args: string[],
  before?: () => Promise<void>,
): Promise<number> {
  if (!before) await timeClinvk(home, args, cwd); // Warm the page cache and Deno's code cache.
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    await before?.();
    times.push(await timeClinvk(home, args, cwd));
  }
  return median(times);
}

/** The operations of the table, in order. */
const OPERATIONS: { label: string; args: (prefix: string) => string[] }[] = [
  { label: "`clinvk version` (start-up floor)", args: () => ["version"] },
  { label: "`sessions list --limit 20`", args: () => ["sessions", "list", "--limit", "20"] },
  { label: "`sessions list --json` (all)", args: () => ["sessions", "list", "--json"] },
  { label: '`resume --last --dry-run "x"`', args: () => ["resume", "--last", "--dry-run", "x"] },
  { label: '`-c --dry-run "x"`', args: () => ["-c", "--dry-run", "x"] },
  { label: "`sessions show <8-char prefix>`", args: (p) => ["sessions", "show", p] },
  { label: "`sessions clean --dry-run`", args: () => ["sessions", "clean", "--dry-run"] },
  // The first (untimed) run builds the search tables; the timed ones only search.
  { label: "`sessions search parser`", args: () => ["sessions", "search", "parser"] },
];
const REBUILD_LABEL = "first command after catalog deleted (rebuild)";

async function benchSize(base: string, size: number, runs: number) {
  const home = join(base, `home-${size}`);
  const work = join(base, "work");
  let started = performance.now();
  const ids = await restoreBackup(home, size, work);
  say(`  wrote ${size} session files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const catalog = join(home, "sessions", ".catalog.db");
  // The first command ever on the restored files builds the catalog; later runs lose it again.
  started = performance.now();
  const rebuild = await measure(
    home,
    work,
    runs,
    ["sessions", "list", "--limit", "20"],
    async () => {
      await Deno.remove(catalog).catch(() => {});
      await Deno.remove(`${catalog}-journal`).catch(() => {});
    },
  );
  say(`  rebuild: ${rebuild.toFixed(0)} ms`);
  const prefix = ids[Math.floor(ids.length / 2)]!.slice(0, 8);
  const figures: Figure[] = [];
  for (const op of OPERATIONS) {
    const ms = await measure(home, work, runs, op.args(prefix));
    say(`  ${op.label}: ${ms.toFixed(0)} ms`);
    figures.push({ label: op.label, ms });
  }
  figures.push({ label: REBUILD_LABEL, ms: rebuild });
  return { home, ids, figures };
}

/**
 * Writes `turns` turns into the journals of `sessions` sessions (100 per session at most in
 * a day, spread over the last 90 days), the way clinvk appends them; returns the home.
 */
async function restoreHistory(base: string, turns: number, sessions: number): Promise<string> {
  const home = join(base, "home-turns");
  const work = join(base, "work");
  const ids = await restoreBackup(home, sessions, work);
  const dir = join(home, "sessions", ".turns");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const perSession = Math.ceil(turns / sessions);
  const now = Date.now();
  let written = 0;
  await pool(ids.map((id, i) => ({ id, i })), 8, async ({ id, i }) => {
    const backend = BACKENDS[i % 3]!;
    const lines: string[] = [];
    for (let n = 1; n <= perSession && written < turns; n++, written++) {
      const input = 1000 + ((i * 31 + n) % 5000);
      const at = formatTimestamp(new Date(now - ((i * 7919 + n * 104729) % (90 * DAY_MS))));
      lines.push(JSON.stringify({
        n,
        at,
        backend,
        model: MODELS[backend],
        prompt: "p",
        answer: "a",
        usage: { input, output: 100, cached: input >> 2, total: input + 100 },
        cost_usd: (input + 100) / 1e6,
        price_source: "genai-prices 0.1.8",
        exit_code: 0,
        duration_seconds: 1,
        error_class: null,
        error: null,
      }));
    }
    await Deno.writeTextFile(join(dir, `${id}.jsonl`), lines.join("\n") + "\n", { mode: 0o600 });
  });
  return home;
}

/** `usage daily --by backend` over a large history, against `clinvk version` of the same run. */
async function benchUsage(base: string, turns: number, runs: number) {
  const sessions = Math.max(1, Math.min(10_000, Math.ceil(turns / 100)));
  let started = performance.now();
  const home = await restoreHistory(base, turns, sessions);
  say(
    `  wrote ${turns} turns in ${sessions} journals in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  const work = join(base, "work");
  started = performance.now();
  await timeClinvk(home, ["usage", "daily", "--by", "backend"], work);
  const firstMs = performance.now() - started;
  say(`  first usage (reads every journal into the catalog): ${formatMs(firstMs)}`);
  const version = await measure(home, work, runs, ["version"]);
  const usage = await measure(home, work, runs, ["usage", "daily", "--by", "backend"]);
  say(`  usage daily --by backend: ${usage.toFixed(0)} ms`);
  await Deno.remove(home, { recursive: true });
  return { turns, sessions, version, usage, firstMs };
}

/** Result of one write-throughput run. */
interface WriteFigure {
  writers: number;
  updates: number;
  seconds: number;
  perSecond: number;
  lost: number;
}

function lineReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    async next(): Promise<string> {
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("A bench writer exited early");
        buffered += value;
      }
      const end = buffered.indexOf("\n");
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      return line;
    },
    cancel: () => reader.cancel(),
  };
}

/**
 * `writers` processes add `updates` tags in total, spread over `targets`, all released at
 * once; the clock runs from the release to the last "done". Then every tag is looked for.
 */
async function benchWriters(
  home: string,
  targets: string[],
  writers: number,
  updates: number,
): Promise<WriteFigure> {
  const each = Math.ceil(updates / writers);
  const children = Array.from({ length: writers }, (_, w) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--config",
        denoJson,
        "--allow-read",
        "--allow-write",
        writerTs,
        home,
        `x${writers}w${w}`,
        String(each),
        targets.join(","),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn());
  const lines = children.map((child) => lineReader(child.stdout));
  const inputs = children.map((child) => child.stdin.getWriter());
  try {
    for (const line of lines) {
      if (await line.next() !== "ready") throw new Error("A bench writer did not start");
    }
    const started = performance.now();
    await Promise.all(inputs.map((input) => input.write(new TextEncoder().encode("go\n"))));
    for (const line of lines) {
      if (await line.next() !== "done") throw new Error("A bench writer did not finish");
    }
    const seconds = (performance.now() - started) / 1000;
    const tags = new Set<string>();
    for (const id of targets) {
      const record = JSON.parse(
        await Deno.readTextFile(join(home, "sessions", `${id}.json`)),
      ) as SessionRecord;
      for (const tag of record.tags) tags.add(tag);
    }
    let lost = 0;
    for (let w = 0; w < writers; w++) {
      for (let n = 0; n < each; n++) if (!tags.has(`x${writers}w${w}-${n}`)) lost++;
    }
    const total = each * writers;
    return { writers, updates: total, seconds, perSecond: total / seconds, lost };
  } finally {
    for (const input of inputs) await input.close().catch(() => {});
    for (const line of lines) await line.cancel().catch(() => {});
    for (const child of children) await child.status;
  }
}

function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")
    } |`;
  const rule = `|${
    widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")
  }|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const options = parseOptions(Deno.args);
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "clinvk-bench-" }));
  const startedAll = performance.now();
  try {
    await Deno.mkdir(join(base, "work"));
    let overhead: OverheadFigures | undefined;
    if (options.suites.has("overhead")) {
      say("start-up and per-turn overhead…");
      // This checkout from its sources and as its bundle, then the others.
      const bundle = join(base, "bundle");
      await buildBundle(bundle);
      const checkouts = [root, join(bundle, "main.js"), ...options.checkouts];
      overhead = await benchOverhead(join(base, "overhead"), {
        runs: Math.max(options.runs, 11),
        checkouts,
      });
      const header = [
        "",
        ...checkouts.map((dir) =>
          dir === root ? "this checkout" : dir === checkouts[1] ? "its bundle" : dir
        ),
      ];
      const floor = overhead.startup[0]!.medians[0]!;
      console.log(
        "\nStart-up, median of whole processes, interleaved (ratio to `deno eval 0`; target: " +
          "`clinvk version` ≤ 2×):\n",
      );
      console.log(markdownTable(
        header,
        overhead.startup.map((row) => [
          row.label,
          ...row.medians.map((ms) => `${formatMs(ms)} (${(ms / floor).toFixed(2)}×)`),
        ]),
      ));
      let direct = 0;
      console.log(
        "\nA new-session prompt, against the same backend executable run directly with the " +
          "same argv (target: ≤ 60 ms more):\n",
      );
      console.log(markdownTable(
        header,
        overhead.turn.map((row) => {
          // Each "directly" row is the baseline of the rows after it.
          const baseline = row.label.includes("directly");
          if (baseline) direct = row.medians[0]!;
          return [
            row.label,
            ...row.medians.map((ms) =>
              baseline ? formatMs(ms) : `${formatMs(ms)} (+${formatMs(ms - direct)})`
            ),
          ];
        }),
      ));
      console.log("\nWhere the 500 ms backend's overhead goes (medians):\n");
      console.log(markdownTable(
        header,
        overhead.timeline.map((row) => [row.label, ...row.medians.map(formatMs)]),
      ));
    }
    const results: { size: number; figures: Figure[] }[] = [];
    let largest: { home: string; ids: string[]; size: number } | undefined;
    for (const size of options.sizes) {
      say(`${size} sessions:`);
      const { home, ids, figures } = await benchSize(base, size, options.runs);
      results.push({ size, figures });
      if (largest) await Deno.remove(largest.home, { recursive: true });
      largest = { home, ids, size };
    }
    let usage: Awaited<ReturnType<typeof benchUsage>> | undefined;
    if (options.turns > 0) {
      say(`${options.turns} recorded turns:`);
      usage = await benchUsage(base, options.turns, options.runs);
    }
    const writes: WriteFigure[] = [];
    if (largest) {
      // The same few sessions for every run, spread over the store (not only the newest).
      const step = Math.floor(largest.ids.length / 4);
      const targets = [0, 1, 2, 3].map((k) =>
        largest!.ids[Math.min(k * step, largest!.ids.length - 1)]!
      );
      for (const writers of options.writers) {
        say(`${writers} concurrent writer(s) on ${largest.size} sessions…`);
        const figure = await benchWriters(
          largest.home,
          [...new Set(targets)],
          writers,
          options.updates,
        );
        say(`  ${figure.perSecond.toFixed(0)} updates/s, lost ${figure.lost}`);
        writes.push(figure);
      }
    }
    if (results.length > 0) {
      const header = [
        "operation",
        ...results.map((r) => `${r.size.toLocaleString("en-US")} sessions`),
      ];
      const labels = [...OPERATIONS.map((op) => op.label), REBUILD_LABEL];
      const rows = labels.map((label) => [
        label,
        ...results.map(({ figures }) => {
          const ms = figures.find((f) => f.label === label)!.ms;
          const floor = figures[0]!.ms;
          return label === OPERATIONS[0]!.label
            ? formatMs(ms)
            : `${formatMs(ms)} (${(ms / floor).toFixed(2)}×)`;
        }),
      ]);
      console.log(
        `\nWhole clinvk processes, median of ${options.runs} runs (ratio to \`clinvk version\` of the same run):\n`,
      );
      console.log(markdownTable(header, rows));
    }
    if (usage) {
      console.log(
        `\n\`usage daily --by backend\` over ${usage.turns.toLocaleString("en-US")} turns in ${
          usage.sessions.toLocaleString("en-US")
        } sessions, median of ${options.runs} runs:\n`,
      );
      console.log(markdownTable(["operation", "time"], [
        ["`clinvk version` (start-up floor)", formatMs(usage.version)],
        [
          "`usage daily --by backend`",
          `${formatMs(usage.usage)} (${(usage.usage / usage.version).toFixed(2)}×)`,
        ],
        ["first `usage` after the journals were written (catalog built)", formatMs(usage.firstMs)],
      ]));
    }
    if (writes.length > 0) {
      console.log(
        `\nLocked write throughput on ${
          largest!.size.toLocaleString("en-US")
        } sessions (each update: lock, read, write temp + fsync, rename, two catalog commits):\n`,
      );
      console.log(markdownTable(
        ["writer processes", "updates", "seconds", "updates/s", "lost"],
        writes.map((w) => [
          String(w.writers),
          String(w.updates),
          w.seconds.toFixed(2),
          w.perSecond.toFixed(0),
          String(w.lost),
        ]),
      ));
    }
    let run: RunBenchFigure | undefined;
    if (options.suites.has("runs")) {
      say(`clinvk parallel: ${options.runTasks} tasks, --max-parallel ${options.runParallel}…`);
      run = await benchRun(base, {
        tasks: options.runTasks,
        maxParallel: options.runParallel,
        delayMs: options.runDelayMs,
      });
      console.log(
        `\nOne \`clinvk parallel\` run on a fake backend that answers after ${
          options.runDelayMs / 1000
        } s (ideal = tasks / max-parallel × delay; targets: ≤ 1.25× ideal, < 150 MiB):\n`,
      );
      console.log(markdownTable(
        ["tasks", "max parallel", "ideal", "wall", "ratio", "peak RSS", "done"],
        [[
          String(run.tasks),
          String(run.maxParallel),
          `${run.idealSeconds.toFixed(1)} s`,
          `${run.seconds.toFixed(1)} s`,
          `${run.ratio.toFixed(2)}×`,
          run.peakRssMiB === null ? "n/a" : `${run.peakRssMiB.toFixed(0)} MiB`,
          String(run.done),
        ]],
      ));
    }
    console.log(`\nTotal bench time: ${((performance.now() - startedAll) / 1000).toFixed(0)} s`);
    if (options.json) console.log(JSON.stringify({ overhead, results, usage, writes, run }));
    if (writes.some((w) => w.lost > 0)) Deno.exitCode = 1;
    if (run && run.done !== run.tasks) Deno.exitCode = 1;
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

if (import.meta.main) await main();
