/**
 * clinvk in process: `runCli(args, platform)` on a platform whose `spawn` is scripted — each
 * backend call replays a recorded sample (or a script of the test's own) instead of starting a
 * process — with a real temp `CLINVK_HOME`, captured stdout/stderr, and signals the test sends.
 * The process boundary is the only thing faked; the store, its locks and files are real.
 * @module
 */
import { join } from "node:path";
import { runCli } from "../../src/main.ts";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import type { StopSignal } from "../../src/platform/stop_signals.ts";
import {
  type Child,
  type ChildSignal,
  type Output,
  type Platform,
  SpawnError,
  type SpawnOptions,
} from "../../src/platform/types.ts";
import { samplesDir } from "../fixtures/fake_backends.ts";

/** What a scripted backend call does. */
export interface Script {
  /** Lines printed on stdout, in order. */
  stdout?: string[];
  stderr?: string;
  /** Exit code once the output is printed. */
  exit?: number;
  /**
   * Keeps running after printing `stdout` until a signal ends it (then it exits 128 + n, as a
   * process killed by that signal does).
   */
  hang?: boolean;
  /** Throws this instead of starting (a missing executable, a denied permission). */
  fail?: SpawnError;
  /** Runs as the call starts (e.g. to fill the disk while the backend works). */
  onStart?(): void;
}

/** One call the scripted platform received. */
export interface SpawnCall extends SpawnOptions {
  /** Signals sent to the call's process group, in order. */
  signals: ChildSignal[];
}

/** The recorded stdout/stderr and exit code of `cli`'s `scenario` (samples/index.jsonl). */
export function sample(cli: string, scenario: string): Script {
  const read = (name: string) => {
    try {
      return Deno.readTextFileSync(join(samplesDir, cli, name));
    } catch {
      return "";
    }
  };
  const index = Deno.readTextFileSync(join(samplesDir, "index.jsonl")).split("\n").filter(Boolean)
    .map((line) => JSON.parse(line) as { cli: string; scenario: string; exit: number });
  const entry = index.find((e) => e.cli === cli && e.scenario === scenario);
  return {
    stdout: read(`${scenario}.stdout`).split("\n").filter((line) => line !== ""),
    stderr: read(`${scenario}.stderr`),
    exit: entry?.exit ?? 0,
  };
}

/** Output captured in memory. */
function capture(): Output & { text: string } {
  const out = {
    text: "",
    write: (chunk: string) => void (out.text += chunk),
    isTerminal: () => false,
    columns: () => undefined,
  };
  return out;
}

const SIGNAL_NUMBERS: Record<ChildSignal, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
};

function scriptedChild(script: Script, call: SpawnCall): Child {
  const encoder = new TextEncoder();
  let finish!: (code: number, signal: string | null) => void;
  const status = new Promise<{ code: number; signal: string | null }>((resolve) => {
    finish = (code, signal) => resolve({ code, signal });
  });
  let stdoutController!: ReadableStreamDefaultController<Uint8Array>;
  let stderrController!: ReadableStreamDefaultController<Uint8Array>;
  const stdout = new ReadableStream<Uint8Array>({ start: (c) => void (stdoutController = c) });
  const stderr = new ReadableStream<Uint8Array>({ start: (c) => void (stderrController = c) });
  let done = false;
  const end = (code: number, signal: string | null) => {
    if (done) return;
    done = true;
    stdoutController.close();
    stderrController.close();
    finish(code, signal);
  };
  queueMicrotask(() => {
    script.onStart?.();
    for (const line of script.stdout ?? []) stdoutController.enqueue(encoder.encode(line + "\n"));
    if (script.stderr) stderrController.enqueue(encoder.encode(script.stderr));
    if (!script.hang) end(script.exit ?? 0, null);
  });
  return {
    pid: 424242,
    stdout,
    stderr,
    status,
    kill(signal = "SIGTERM") {
      call.signals.push(signal);
      if (!done) end(128 + SIGNAL_NUMBERS[signal], signal);
    },
  };
}

/** A clinvk to run in process, its home, and what its backends were asked. */
export interface InProcess extends AsyncDisposable {
  /** The temp directory (removed on dispose). */
  dir: string;
  /** `CLINVK_HOME`. */
  home: string;
  /** The working directory (a git repository). */
  work: string;
  /** Every backend call so far. */
  calls: SpawnCall[];
  /** Decides what each backend call does; tests replace it. */
  script: (call: SpawnCall) => Script;
  /** Sends a signal to clinvk (a no-op when nothing listens). */
  signal(signal: StopSignal): void;
  /** Variables of the environment (the test may change them). */
  env: Record<string, string | undefined>;
  /** A platform with this sandbox's environment, for the store or the engine directly. */
  platform: Platform;
  /** Runs `clinvk ...args`. */
  run(
    args: string[],
    options?: { stdin?: string },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs and parses stdout as JSON; fails on a non-zero exit. */
  json<T = Record<string, unknown>>(args: string[]): Promise<T>;
}

/** A fresh in-process sandbox; `await using` removes it. */
export async function inProcess(): Promise<InProcess> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "clinvk-inproc-" }));
  const work = join(dir, "work");
  await Deno.mkdir(join(work, ".git"), { recursive: true });
  const home = join(dir, "clinvk");
  const env: Record<string, string | undefined> = {
    CLINVK_HOME: home,
    HOME: join(dir, "home"),
    PATH: "/nonexistent",
    TZ: "UTC",
    NO_COLOR: "1",
    USER: "tester",
  };
  const handlers = new Set<(signal: StopSignal) => void>();
  const sandbox: InProcess = {
    dir,
    home,
    work,
    calls: [],
    env,
    script: () => ({ stdout: [], exit: 0 }),
    signal: (signal) => [...handlers].forEach((handler) => handler(signal)),
    platform: undefined as unknown as Platform,
    async run(args, options = {}) {
      const stdout = capture();
      const stderr = capture();
      const stdinText = options.stdin;
      const platform: Platform = {
        ...sandbox.platform,
        stdout,
        stderr,
        stdin: {
          isTerminal: () => false,
          readUpTo: (limit) =>
            Promise.resolve(new TextEncoder().encode(stdinText ?? "").slice(0, limit)),
          setRaw() {},
          readable: new Blob([stdinText ?? ""]).stream(),
        },
      };
      const code = await runCli(args, platform);
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
    async json<T>(args: string[]): Promise<T> {
      const result = await sandbox.run(args);
      if (result.code !== 0) {
        throw new Error(`clinvk ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
      }
      return JSON.parse(result.stdout) as T;
    },
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
  sandbox.platform = {
    ...denoPlatform(),
    env: { get: (name) => env[name] },
    cwd: () => work,
    spawn(options) {
      const call: SpawnCall = { ...options, signals: [] };
      sandbox.calls.push(call);
      const script = sandbox.script(call);
      if (script.fail) throw script.fail;
      return scriptedChild(script, call);
    },
    runAttached: () => Promise.reject(new SpawnError("other", "no terminal in process")),
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  return sandbox;
}
