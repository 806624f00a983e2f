/**
 * Test harness of runs across machines: a real `nats-server -js` on a free loopback port with
 * its store in the sandbox, and real `clinvk worker` processes, each with its own CLINVK_HOME,
 * HOME and fake-backend state (as separate machines have), all stopped and awaited by
 * {@linkcode withCluster} whatever the test does.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFakeLog, readFakeTimes } from "../fixtures/fake_backends.ts";
import { callPrompt } from "../runs/helpers.ts";
import { type Sandbox, spawnClinvk, withSandbox } from "../support/clinvk.ts";

/** Where `nats-server` is: on PATH, or where Debian installs it. */
export function natsServerPath(): string {
  for (const dir of [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/usr/local/bin"]) {
    if (!dir) continue;
    try {
      const path = join(dir, "nats-server");
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not here.
    }
  }
  throw new Error(
    "nats-server is not installed (apt-get install nats-server); .ci/run installs it",
  );
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number, ms: number, child: Deno.ChildProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`nats-server did not listen on ${port} within ${ms} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Collects a child's output stream as text while it runs. */
class Output {
  text = "";
  readonly done: Promise<void>;
  constructor(stream: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    this.done = stream.pipeTo(
      new WritableStream({ write: (chunk) => void (this.text += decoder.decode(chunk)) }),
    ).catch(() => {});
  }
}

/** A process the cluster started. */
export interface Proc {
  readonly child: Deno.ChildProcess;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Resolves with its exit status; output fully read. */
  readonly exited: Promise<Deno.CommandStatus>;
}

/** A running `nats-server`. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM) and starts it again on the same port and store. */
  restart(): Promise<void>;
}

/** A running `clinvk worker`. */
export interface WorkerProc extends Proc {
  readonly id: string;
  /** Its `CLINVK_HOME`. */
  readonly home: string;
  /** Its fake backends' call log. */
  readonly calls: string;
  /** Its fake backends' finished-call times. */
  readonly times: string;
  readonly env: Record<string, string>;
}

/** Options of {@linkcode Cluster.worker}. */
export interface WorkerOptions {
  args?: string[];
  /** More config.yaml text (YAML). */
  config?: string;
  /** Seconds of silence before a task goes to another worker (default 2). */
  ackWait?: number;
  /** Reuse this home (a restarted worker). */
  home?: string;
  /** The address to give `--nats` (default: the server's `nats://` one). */
  url?: string;
}

/** What a cluster test gets. */
export interface Cluster {
  sb: Sandbox;
  nats: NatsServer;
  /** Starts a worker and waits until it is connected. */
  worker(id: string, options?: WorkerOptions): Promise<WorkerProc>;
  /** Starts clinvk (a coordinator) in the background, with the sandbox's home. */
  spawn(args: string[], env?: Record<string, string>): Proc;
  /** Runs clinvk to its end. */
  run(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
}

function track(child: Deno.ChildProcess, all: Proc[]): Proc {
  const stdout = new Output(child.stdout);
  const stderr = new Output(child.stderr);
  const exited = (async () => {
    const status = await child.status;
    await Promise.all([stdout.done, stderr.done]);
    return status;
  })();
  const proc = { child, stdout, stderr, exited };
  all.push(proc);
  return proc;
}

function startServer(port: number, store: string, extra: string[], all: Proc[]): Proc {
  const child = new Deno.Command(natsServerPath(), {
    args: ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store, ...extra],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return track(child, all);
}

/**
 * Runs `fn` with a sandbox, a NATS server (started with `serverArgs`) and a way to start
 * workers; afterwards every process still running is killed and awaited.
 */
export function withCluster(
  fn: (cluster: Cluster) => Promise<void>,
  serverArgs: string[] = [],
): Promise<void> {
  return withSandbox(async (sb) => {
    const all: Proc[] = [];
    const port = freePort();
    const store = join(sb.dir, "nats-store");
    let server = startServer(port, store, serverArgs, all);
    try {
      await waitForPort(port, 10_000, server.child);
      const nats: NatsServer = {
        url: `nats://127.0.0.1:${port}`,
        port,
        async restart() {
          server.child.kill("SIGTERM");
          await server.exited;
          server = startServer(port, store, serverArgs, all);
          await waitForPort(port, 10_000, server.child);
        },
      };
      const cluster: Cluster = {
        sb,
        nats,
        async worker(id, options = {}) {
          const home = options.home ?? join(sb.dir, `${id}-home`);
          await Deno.mkdir(home, { recursive: true });
          await Deno.writeTextFile(
            join(home, "config.yaml"),
            `worker:\n  ack_wait_seconds: ${options.ackWait ?? 2}\n${options.config ?? ""}`,
          );
          const machine = join(sb.dir, `${id}-machine`);
          await Deno.mkdir(join(machine, "home"), { recursive: true });
          const env = {
            ...sb.env,
            CLINVK_HOME: home,
            HOME: join(machine, "home"),
            FAKE_BACKEND_LOG: join(machine, "calls.jsonl"),
            FAKE_BACKEND_STATE: join(machine, "state"),
            FAKE_BACKEND_TIMES: join(machine, "times.jsonl"),
          };
          const child = spawnClinvk(env, [
            "worker",
            "--nats",
            options.url ?? nats.url,
            "--id",
            id,
            ...(options.args ?? []),
          ], { cwd: sb.work });
          const proc = track(child, all);
          const deadline = Date.now() + 30_000;
          while (!proc.stderr.text.includes("connected to")) {
            const exited = await Promise.race([
              proc.exited.then(() => true),
              new Promise<false>((resolve) => setTimeout(() => resolve(false), 50)),
            ]);
            if (exited || Date.now() > deadline) {
              throw new Error(`worker ${id} did not start:\n${proc.stderr.text}`);
            }
          }
          return {
            ...proc,
            id,
            home,
            calls: env.FAKE_BACKEND_LOG,
            times: env.FAKE_BACKEND_TIMES,
            env,
          };
        },
        spawn(args, env = {}) {
          return track(spawnClinvk(sb.env, args, { cwd: sb.work, env }), all);
        },
        async run(args, env = {}) {
          const proc = track(spawnClinvk(sb.env, args, { cwd: sb.work, env }), all);
          const status = await proc.exited;
          return { code: status.code, stdout: proc.stdout.text, stderr: proc.stderr.text };
        },
      };
      await fn(cluster);
    } finally {
      for (const proc of all) {
        try {
          proc.child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await Promise.all(all.map((proc) => proc.exited));
    }
  });
}

/** Waits until `check` holds, polling; fails after `ms` with `what`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Prompts of every call a worker's backends received. */
export async function promptsRun(worker: WorkerProc): Promise<string[]> {
  return (await readFakeLog(worker.calls)).map(callPrompt);
}

/** Prompts of the calls a worker's backends finished (not those killed half-way). */
export async function promptsFinished(worker: WorkerProc): Promise<string[]> {
  const calls = await readFakeLog(worker.calls);
  const finished = new Set((await readFakeTimes(worker.times)).map((t) => t.pid));
  return calls.filter((call) => finished.has(call.pid)).map(callPrompt);
}

/** Writes a run file into the sandbox. */
export async function runFile(sb: Sandbox, name: string, yaml: string): Promise<string> {
  const path = join(sb.dir, name);
  await Deno.writeTextFile(path, yaml);
  return path;
}
