/**
 * `deno task bench` (server part, issue 11): what `clinvk serve` adds to a turn, measured in one
 * run against the same turn run directly and through the CLI, on the fake backends.
 *
 * 1. The same new-session turn three ways, `--runs` times each: the backend executable alone
 *    (the argv the engine runs), `clinvk -o json` (a whole process), and `POST
 *    /v1/chat/completions` to a server in this process. Server overhead is each request's
 *    client-side time minus the time the turn engine took for it (the engine is wrapped to
 *    time it), so it is what routing, validation, auth, the session header, JSON and HTTP cost.
 * 2. First SSE byte: for streaming requests, the time from the engine's first text event to
 *    the client receiving the first byte of the stream.
 * 3. `--concurrent` streaming requests at once to a `clinvk serve` process (the documented
 *    permissions): errors, wall time, and the server's peak resident memory (sampled from
 *    `/metrics` every 100 ms).
 *
 * Usage: deno task bench:server [--runs 30] [--concurrent 100] [--json]
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { defaultConfig } from "../src/config/schema.ts";
import { permissionFlags } from "../src/permissions.ts";
import { denoPlatform } from "../src/platform/deno_platform.ts";
import { createRunStore } from "../src/runs/mod.ts";
import { createFileStore } from "../src/sessions/file_store.ts";
import { startServer } from "../src/server/start_server.ts";
import { runTurn } from "../src/turns/engine.ts";
import { denoDir } from "../tests/fixtures/fake_backends.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const mainTs = join(root, "src", "main.ts");
const denoJson = join(root, "deno.json");
const fakeBin = join(root, "tests", "fixtures", "bin");

const USAGE = "usage: deno task bench:server [--runs 30] [--concurrent 100] [--json]";

function options() {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(USAGE);
    Deno.exit(0);
  }
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        runs: { type: "string", default: "30" },
        concurrent: { type: "string", default: "100" },
        json: { type: "boolean", default: false },
      },
    });
    const runs = Number(values.runs);
    const concurrent = Number(values.concurrent);
    if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(concurrent) && concurrent > 0)) {
      throw new Error("--runs and --concurrent take whole numbers ≥ 1");
    }
    return { runs, concurrent, json: values.json };
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : error}\n${USAGE}`);
    Deno.exit(2);
  }
}

function say(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** The environment the fake backends need, like the tests' sandbox (a temp HOME). */
function fakeEnv(dir: string): Record<string, string> {
  // The fakes are Deno scripts: keep Deno's cache, or each would compile again under the temp HOME.
  const cache = denoDir();
  return {
    PATH: `${fakeBin}:/usr/bin:/bin`,
    DENO: Deno.execPath(),
    ...(cache ? { DENO_DIR: cache } : {}),
    HOME: join(dir, "home"),
    FAKE_BACKEND_STATE: join(dir, "fake-state"),
    TZ: "UTC",
    NO_COLOR: "1",
  };
}

async function timeProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(command, {
    args,
    env,
    cwd,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  if (output.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${output.code}: ${
        new TextDecoder().decode(output.stderr)
      }`,
    );
  }
  return elapsed;
}

async function main() {
  const { runs, concurrent, json } = options();
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "clinvk-bench-server-" }));
  try {
    const work = join(dir, "work");
    await Deno.mkdir(join(work, ".git"), { recursive: true });
    const env = fakeEnv(dir);
    const platform = denoPlatform();
    const config = defaultConfig();
    config.backends.claude.command = join(fakeBin, "claude");
    config.backends.claude.env = env;

    const home = join(dir, "clinvk");
    const stores = {
      home,
      fs: platform.fs,
      clock: platform.clock,
      pid: platform.pid,
      sleep: platform.sleep,
      warn: () => {},
      lockTimeoutMs: 30_000,
    };
    const store = createFileStore(stores);
    // The exact argv the engine runs for a new turn.
    const plan = await runTurn(
      { platform, config, store, warn: () => {} },
      { kind: "new", backend: "claude", workdir: work },
      { prompt: "bench", dryRun: true },
    );
    const direct: number[] = [];
    say(`bench: the backend alone, ${runs} runs`);
    for (let i = 0; i < runs; i++) {
      direct.push(await timeProcess(plan.argv[0]!, plan.argv.slice(1), env, work));
    }

    const cli: number[] = [];
    say(`bench: clinvk -o json, ${runs} runs`);
    for (let i = 0; i < runs; i++) {
      cli.push(
        await timeProcess(
          Deno.execPath(),
          [
            "run",
            "--quiet",
            "--config",
            denoJson,
            ...permissionFlags(),
            mainTs,
            "-b",
            "claude",
            "-o",
            "json",
            "bench",
          ],
          { ...env, CLINVK_HOME: home, PATH: env.PATH! },
          work,
        ),
      );
    }

    // The server in this process, its engine wrapped to time each turn and its first text.
    const engineMs: number[] = [];
    let firstText = 0;
    const server = await startServer({
      platform,
      config,
      store,
      runs: createRunStore(stores),
      home,
      host: "127.0.0.1",
      port: 0,
      workdir: work,
      logFormat: "json",
      write: () => {},
      runTurn: async (deps, target, turnOptions) => {
        const started = performance.now();
        try {
          return await runTurn(deps, target, {
            ...turnOptions,
            onEvent(event, id) {
              if (event.type === "message" && firstText === 0) firstText = performance.now();
              turnOptions.onEvent?.(event, id);
            },
          });
        } finally {
          engineMs.push(performance.now() - started);
        }
      },
    });
    const http: number[] = [];
    const overhead: number[] = [];
    const firstByte: number[] = [];
    try {
      const body = (stream: boolean) =>
        JSON.stringify({ model: "claude", stream, messages: [{ role: "user", content: "bench" }] });
      say(`bench: POST /v1/chat/completions, ${runs} runs`);
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body(false),
        });
        await response.text();
        const elapsed = performance.now() - started;
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        http.push(elapsed);
        overhead.push(elapsed - engineMs.at(-1)!);
      }
      say(`bench: streaming first byte, ${runs} runs`);
      for (let i = 0; i < runs; i++) {
        firstText = 0;
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body(true),
        });
        const reader = response.body!.getReader();
        await reader.read();
        firstByte.push(performance.now() - firstText);
        while (!(await reader.read()).done) { /* drain */ }
      }
    } finally {
      await server.stop();
    }

    say(`bench: ${concurrent} concurrent streaming requests to a clinvk serve process`);
    const load = await concurrentLoad(dir, work, env, concurrent);

    const figures = {
      runs,
      backend_alone_ms: median(direct),
      cli_ms: median(cli),
      server_request_ms: median(http),
      server_overhead_ms: median(overhead),
      server_overhead_p90_ms: percentile(overhead, 0.9),
      first_sse_byte_ms: median(firstByte),
      first_sse_byte_p90_ms: percentile(firstByte, 0.9),
      concurrent: load,
    };
    if (json) {
      console.log(JSON.stringify(figures, null, 2));
      return;
    }
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const ratio = (v: number) => `${(v / figures.cli_ms).toFixed(2)}×`;
    console.log([
      `| path (new session, fake claude, median of ${runs})  |       time | vs CLI |`,
      "| ------------------------------------------------- | ---------: | -----: |",
      `| the backend executable alone                      | ${
        ms(figures.backend_alone_ms).padStart(10)
      } | ${ratio(figures.backend_alone_ms).padStart(6)} |`,
      `| \`clinvk -o json\` (whole process)                  | ${
        ms(figures.cli_ms).padStart(10)
      } | ${ratio(figures.cli_ms).padStart(6)} |`,
      `| \`POST /v1/chat/completions\` (client side)         | ${
        ms(figures.server_request_ms).padStart(10)
      } | ${ratio(figures.server_request_ms).padStart(6)} |`,
      "",
      "| target                                              | median | p90 | met |",
      "| --------------------------------------------------- | -----: | --: | --- |",
      `| server overhead on a non-stream request ≤ 15 ms      | ${
        ms(figures.server_overhead_ms)
      } | ${ms(figures.server_overhead_p90_ms)} | ${
        figures.server_overhead_ms <= 15 ? "yes" : "**no**"
      } |`,
      `| first SSE byte ≤ 5 ms after the backend's first text | ${
        ms(figures.first_sse_byte_ms)
      } | ${ms(figures.first_sse_byte_p90_ms)} | ${
        figures.first_sse_byte_ms <= 5 ? "yes" : "**no**"
      } |`,
      `| ${load.requests} concurrent streams: no error, server < 200 MB RSS | ${load.errors} errors, ${
        load.peak_rss_mb.toFixed(0)
      } MB peak, ${load.seconds.toFixed(1)} s | | ${
        load.errors === 0 && load.peak_rss_mb < 200 ? "yes" : "**no**"
      } |`,
    ].join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Starts `clinvk serve`, sends `count` streaming requests at once, samples its memory. */
async function concurrentLoad(
  dir: string,
  work: string,
  env: Record<string, string>,
  count: number,
) {
  const home = join(dir, "clinvk-load");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      denoJson,
      ...permissionFlags(),
      mainTs,
      "serve",
      "--port",
      "0",
    ],
    cwd: work,
    env: { ...env, CLINVK_HOME: home },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  const reader = child.stderr.getReader();
  let banner = "";
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`clinvk serve exited before listening:\n${banner}`);
    banner += decoder.decode(value, { stream: true });
    url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
  }
  const draining = (async () => {
    while (!(await reader.read()).done) { /* the request log */ }
  })();
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(metrics)?.[1] ?? 0);
      peak = Math.max(peak, rss);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const started = performance.now();
  const failures: string[] = [];
  const results = await Promise.all(Array.from({ length: count }, async (_, i) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude",
        stream: true,
        messages: [{ role: "user", content: `load ${i}` }],
      }),
    });
    const text = await response.text();
    const content = [...text.matchAll(/^data: (\{.*\})$/gm)]
      .map((m) => JSON.parse(m[1]!).choices?.[0]?.delta?.content ?? "").join("");
    if (response.status === 200 && content === `ECHO turn=1: load ${i}`) return true;
    failures.push(`HTTP ${response.status}: ${text.slice(0, 300)}`);
    return false;
  }));
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  child.kill("SIGTERM");
  await child.status;
  await draining;
  if (failures.length > 0) say(`bench: first failure: ${failures[0]}`);
  return {
    requests: count,
    errors: results.filter((ok) => !ok).length,
    seconds,
    peak_rss_mb: peak / 1024 / 1024,
  };
}

if (import.meta.main) await main();
