/**
 * `deno task bench:workers` (part of `deno task bench`): runs across machines (issue 13) on one
 * machine — a real `nats-server -js` and `--workers` real `clinvk worker` processes (each
 * `--worker-parallel` slots) on a fake `claude` that answers after `--delay-ms`.
 *
 * 1. Throughput: `clinvk parallel --dispatch` of `--tasks` tasks, all queued at once, against the
 *    ideal `tasks / (workers × slots) × delay` (target ≤ 1.3×).
 * 2. Dispatch overhead per task: the same run with `--max-parallel` = every slot (so a task is
 *    queued only when a slot is free), and a local `clinvk parallel` at the same parallelism.
 *    For each task, the time the coordinator saw it take (`task_started` → `task_done`) minus its
 *    backend's own run time (`duration_seconds`); the figure is the difference of the medians
 *    (target ≤ 20 ms).
 *
 * Usage: deno task bench:workers [--tasks 200] [--workers 3] [--worker-parallel 8]
 *                                [--delay-ms 1000] [--json]
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { markdownTable } from "./bench.ts";
import { peakRssKiB, spawnClinvk as clinvk, writeFakeClaude } from "./bench_runs.ts";

const USAGE = "usage: deno task bench:workers [--tasks 200] [--workers 3] " +
  "[--worker-parallel 8] [--delay-ms 1000] [--json]";

interface Options {
  tasks: number;
  workers: number;
  workerParallel: number;
  delayMs: number;
  json: boolean;
}

function parseOptions(args: string[]): Options {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  try {
    const { values } = parseArgs({
      args,
      options: {
        tasks: { type: "string", default: "200" },
        workers: { type: "string", default: "3" },
        "worker-parallel": { type: "string", default: "8" },
        "delay-ms": { type: "string", default: "1000" },
        json: { type: "boolean", default: false },
      },
    });
    const positive = (value: string, name: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
      return n;
    };
    return {
      tasks: positive(values.tasks, "--tasks"),
      workers: positive(values.workers, "--workers"),
      workerParallel: positive(values["worker-parallel"], "--worker-parallel"),
      delayMs: positive(values["delay-ms"], "--delay-ms"),
      json: values.json,
    };
  } catch (error) {
    console.error(`bench:workers: ${error instanceof Error ? error.message : error}\n${USAGE}`);
    Deno.exit(2);
  }
}

function say(line: string): void {
  console.error(line);
}

function natsServerPath(): string {
  for (const dir of [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin"]) {
    try {
      if (dir && Deno.statSync(join(dir, "nats-server")).isFile) return join(dir, "nats-server");
    } catch {
      // Not here.
    }
  }
  console.error("bench:workers: nats-server is not installed (apt-get install nats-server)");
  Deno.exit(1);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Reads a child's stderr until `marker` shows up; `drained` ends when the stream does. */
async function waitFor(
  child: Deno.ChildProcess,
  marker: string,
): Promise<{ drained: Promise<void> }> {
  const reader = child.stderr.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`worker exited before it connected:\n${text}`);
    text += decoder.decode(value);
  }
  const drained = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return { drained };
}

/** What one `clinvk parallel` took, from its `-o stream-json` events. */
interface RunFigure {
  seconds: number;
  done: number;
  /** Per task: coordinator-seen time minus the backend's own time, in ms. */
  overheadsMs: number[];
}

async function timedRun(args: string[], home: string, cwd: string): Promise<RunFigure> {
  const started = performance.now();
  const output = await clinvk(args, home, cwd).output();
  const seconds = (performance.now() - started) / 1000;
  if (output.code !== 0) {
    throw new Error(
      `clinvk ${args.join(" ")} exited ${output.code}: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  const starts = new Map<string, number>();
  const overheadsMs: number[] = [];
  let done = 0;
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line);
    if (event.type === "task_started") starts.set(event.task_id, Date.parse(event.time));
    if (event.type === "task_done" && event.state === "done") {
      done++;
      const took = Date.parse(event.time) - starts.get(event.task_id)!;
      overheadsMs.push(took - event.duration_seconds * 1000);
    }
  }
  return { seconds, done, overheadsMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(Deno.args);
  const slots = options.workers * options.workerParallel;
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "clinvk-bench-workers-" }));
  const work = join(base, "work");
  await Deno.mkdir(work);
  const fake = await writeFakeClaude(base, options.delayMs);
  const config = `backends:\n  claude:\n    command: ${fake}\n`;
  const port = freePort();
  const url = `nats://127.0.0.1:${port}`;
  const nats = new Deno.Command(natsServerPath(), {
    args: ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(base, "nats")],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const workers: { child: Deno.ChildProcess; drained: Promise<void> }[] = [];
  try {
    for (let wait = 0;; wait += 50) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        if (wait > 10_000) throw new Error("nats-server did not start");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    say(`${options.workers} workers × ${options.workerParallel} slots on ${url}…`);
    for (let i = 1; i <= options.workers; i++) {
      const home = join(base, `worker-${i}`);
      await Deno.mkdir(home);
      await Deno.writeTextFile(join(home, "config.yaml"), config);
      const child = clinvk(
        [
          "worker",
          "--nats",
          url,
          "--id",
          `bench-${i}`,
          "--max-parallel",
          String(options.workerParallel),
        ],
        home,
        work,
      );
      workers.push({ child, ...await waitFor(child, "connected to") });
    }
    const home = join(base, "coordinator");
    await Deno.mkdir(home);
    await Deno.writeTextFile(join(home, "config.yaml"), config);
    const tasks = Array.from(
      { length: options.tasks },
      (_, i) => `  - { id: t${i + 1}, backend: claude, prompt: "task number ${i + 1}" }`,
    );
    const file = join(base, "tasks.yaml");
    await Deno.writeTextFile(file, `tasks:\n${tasks.join("\n")}\n`);
    const common = ["parallel", "-f", file, "-o", "stream-json"];

    say(`clinvk parallel --dispatch: ${options.tasks} tasks, all queued at once…`);
    const queued = await timedRun([...common, "--dispatch", url], home, work);
    say(`clinvk parallel --dispatch --max-parallel ${slots}…`);
    const paced = await timedRun(
      [...common, "--dispatch", url, "--max-parallel", String(slots)],
      home,
      work,
    );
    say(`clinvk parallel (local) --max-parallel ${slots}…`);
    const local = await timedRun([...common, "--max-parallel", String(slots)], home, work);

    const peaks: number[] = [];
    for (const { child } of workers) peaks.push(((await peakRssKiB(child.pid)) ?? NaN) / 1024);
    const ideal = options.tasks / slots * options.delayMs / 1000;
    const ratio = queued.seconds / ideal;
    const overhead = median(paced.overheadsMs) - median(local.overheadsMs);
    const peak = Math.max(...peaks);
    console.log(
      `\nRuns across machines on one machine: ${options.workers} \`clinvk worker\` × ` +
        `--max-parallel ${options.workerParallel}, a fake backend that answers after ` +
        `${options.delayMs / 1000} s (targets: ≤ 1.3× ideal; dispatch overhead ≤ 20 ms a task):\n`,
    );
    const row = (label: string, run: RunFigure) => [
      label,
      String(run.done),
      `${run.seconds.toFixed(1)} s`,
      `${(run.seconds / ideal).toFixed(2)}×`,
      `${median(run.overheadsMs).toFixed(0)} ms`,
    ];
    console.log(markdownTable(
      ["run", "done", "wall", "vs ideal", "overhead/task (median)"],
      [
        row(`--dispatch, all ${options.tasks} queued at once`, queued),
        row(`--dispatch --max-parallel ${slots}`, paced),
        row(`local --max-parallel ${slots}`, local),
      ],
    ));
    console.log(
      `\nIdeal ${ideal.toFixed(2)} s; throughput ${ratio.toFixed(2)}× ideal; dispatch overhead ` +
        `${overhead.toFixed(1)} ms a task over the local pool; peak RSS of a worker ` +
        `${Number.isFinite(peak) ? `${peak.toFixed(0)} MiB` : "n/a"}.`,
    );
    if (options.json) {
      console.log(JSON.stringify({
        options,
        ideal,
        ratio,
        overheadMs: overhead,
        peakWorkerRssMiB: peak,
        queued: { seconds: queued.seconds, done: queued.done },
        paced: { seconds: paced.seconds, median: median(paced.overheadsMs) },
        local: { seconds: local.seconds, median: median(local.overheadsMs) },
      }));
    }
    if ([queued, paced, local].some((run) => run.done !== options.tasks)) Deno.exitCode = 1;
  } finally {
    for (const { child } of workers) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Gone.
      }
    }
    for (const { child, drained } of workers) {
      await child.stdout.cancel();
      await Promise.all([child.status, drained]);
    }
    nats.kill("SIGTERM");
    await nats.status;
    await Deno.remove(base, { recursive: true });
  }
}

if (import.meta.main) await main();
