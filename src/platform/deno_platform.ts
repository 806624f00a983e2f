/**
 * The real {@linkcode Platform}, backed by Deno's APIs.
 * @module
 */
import { BUNDLED } from "../module_url.ts";
import { denoServerHost } from "./http_server.ts";
import { killSignal } from "./kill_signal.ts";
import { syncFs } from "./sync_fs.ts";
import { resolveExecutable } from "./resolve_executable.ts";
import { STOP_SIGNALS, stopSignalOf } from "./stop_signals.ts";
import { openSqlite } from "./sqlite.ts";
import { psProcessTable } from "./process_table.ts";
import { runGranted } from "./run_permission.ts";
import { denoThreads } from "./threads.ts";
import {
  type Child,
  type ChildSignal,
  type Env,
  type Input,
  type Output,
  type Platform,
  SpawnError,
  type SpawnOptions,
  StreamWriteError,
} from "./types.ts";

const encoder = new TextEncoder();

function output(file: typeof Deno.stdout | typeof Deno.stderr, name: "stdout" | "stderr"): Output {
  // Set once the reader went away (`clinvk -o stream-json | head -3`).
  let closed = false;
  const writeBytes = (bytes: Uint8Array) => {
    if (closed) return;
    let written = 0;
    try {
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
    } catch (error) {
      // Nobody reads any more. Dropping the rest lets the turn finish and the session be
      // saved, instead of aborting it with an "unexpected error" mid-turn.
      if (error instanceof Deno.errors.BrokenPipe) closed = true;
      else throw new StreamWriteError(name, error);
    }
  };
  return {
    write: (text: string) => writeBytes(encoder.encode(text)),
    writeBytes,
    isTerminal: () => file.isTerminal(),
    columns() {
      try {
        if (!file.isTerminal()) return undefined;
        // A pseudo-terminal without a size (script(1), some CI runners) reports 0 columns.
        const { columns } = Deno.consoleSize();
        return columns > 0 ? columns : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

const stdin: Input = {
  isTerminal: () => Deno.stdin.isTerminal(),
  async readUpTo(limit: number) {
    const buffer = new Uint8Array(limit);
    let filled = 0;
    while (filled < limit) {
      const count = await Deno.stdin.read(buffer.subarray(filled));
      if (count === null) break;
      filled += count;
    }
    return buffer.subarray(0, filled);
  },
  setRaw: (raw: boolean) => Deno.stdin.setRaw(raw),
  get readable() {
    return Deno.stdin.readable;
  },
};

/** Whether a path is a regular file; a denied or failed stat counts as "no". */
const fileProbe = {
  isFile(path: string): boolean {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  },
};

/** The environment the child will see: ours, overlaid with `extra`. */
function childEnv(extra: Record<string, string> | undefined): Env {
  return {
    get(name) {
      // Windows variable names are case-insensitive (`Path` is `PATH`).
      const key = Object.keys(extra ?? {}).find((k) => k.toUpperCase() === name.toUpperCase());
      return key !== undefined ? extra![key] : Deno.env.get(name);
    },
  };
}

/** The program to start: on Windows `claude` becomes the full path of `claude.cmd` etc. */
function executable(options: Pick<SpawnOptions, "command" | "env">): string {
  return resolveExecutable(options.command, childEnv(options.env), Deno.build.os, fileProbe);
}

/** Windows has no process groups to signal; elsewhere every backend gets its own. */
const GROUPS = Deno.build.os !== "windows";

/**
 * Signals the process group led by `pid` (its own, see `spawn`), falling back to the process
 * alone where there are no groups.
 */
function signalGroup(child: Deno.ChildProcess, requested: ChildSignal): void {
  const signal = killSignal(Deno.build.os, requested);
  if (signal === undefined) return;
  try {
    // Under a narrower `--allow-run=claude,…` Deno signals only the processes it started (and
    // on a terminal would prompt for the group, stopping everything): then at least the
    // backend itself is reached.
    if (GROUPS && runGranted()) {
      try {
        Deno.kill(-child.pid, signal);
        return;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotCapable)) throw error;
      }
    }
    child.kill(signal);
  } catch {
    // The group (or the process) is already gone.
  }
}

function spawn(options: SpawnOptions): Child {
  const command = new Deno.Command(executable(options), {
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdinText === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    // A new session and process group (setsid): stop requests reach everything the backend
    // starts, and the terminal's own Ctrl-C does not (clinvk forwards it, then saves).
    detached: GROUPS,
  });
  let child: Deno.ChildProcess;
  try {
    child = command.spawn();
  } catch (error) {
    throw toSpawnError(error, options);
  }
  if (options.stdinText !== undefined) {
    const writer = child.stdin.getWriter();
    // A backend that exits without reading its stdin closes the pipe; that is not our failure.
    writer.write(encoder.encode(options.stdinText)).then(() => writer.close()).catch(() => {});
  }
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    status: child.status.then((s) => ({ code: s.code, signal: s.signal })),
    kill: (requested = "SIGTERM") => signalGroup(child, requested),
  };
}

function toSpawnError(error: unknown, options: SpawnOptions): SpawnError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new SpawnError("permission-denied", message);
  }
  if (error instanceof Deno.errors.NotFound) {
    // Deno reports a missing cwd as NotFound too; tell the two apart.
    try {
      if (Deno.statSync(options.cwd).isDirectory) return new SpawnError("not-found", message);
    } catch {
      return new SpawnError("bad-cwd", message);
    }
    return new SpawnError("bad-cwd", message);
  }
  return new SpawnError("other", message);
}

/** Builds the platform of the running process. */
export function denoPlatform(): Platform {
  return {
    fs: Deno,
    openSqlite,
    env: { get: (name) => Deno.env.get(name) },
    clock: { now: () => new Date() },
    os: Deno.build.os,
    runtime: { ...Deno.version, arch: Deno.build.arch },
    pid: Deno.pid,
    cwd: () => Deno.cwd(),
    stdin,
    stdout: output(Deno.stdout, "stdout"),
    stderr: output(Deno.stderr, "stderr"),
    spawn,
    async runAttached(options) {
      // Not in a group of its own: an interactive backend must stay on the terminal's
      // foreground, where the terminal itself delivers Ctrl-C to it.
      const command = new Deno.Command(executable(options), {
        args: options.args,
        cwd: options.cwd,
        env: options.env,
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      });
      let child: Deno.ChildProcess;
      try {
        child = command.spawn();
      } catch (error) {
        throw toSpawnError(error, options);
      }
      const forward = () => {
        const signal = killSignal(Deno.build.os, stopSignalOf(options.signal?.reason));
        if (signal === undefined) return;
        try {
          child.kill(signal);
        } catch {
          // Already exited.
        }
      };
      options.signal?.addEventListener("abort", forward, { once: true });
      try {
        return (await child.status).code;
      } finally {
        options.signal?.removeEventListener("abort", forward);
      }
    },
    onInterrupt(handler) {
      // Windows delivers only SIGINT (and SIGBREAK) to a console program.
      const signals = Deno.build.os === "windows" ? ["SIGINT" as const] : STOP_SIGNALS;
      const listeners = signals.map((signal) => {
        const listener = () => handler(signal);
        Deno.addSignalListener(signal, listener);
        return () => Deno.removeSignalListener(signal, listener);
      });
      return () => listeners.forEach((remove) => remove());
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    server: denoServerHost(),
    threads: denoThreads(),
    // Windows has no process groups (see `spawn`): nothing there to record or stop.
    ...(GROUPS ? { processes: psProcessTable(Deno.build.os) } : {}),
  };
}

/**
 * The checkout this module belongs to, where `deno task clinvk` starts the task; `undefined`
 * when clinvk does not run from local source files (a JSR import, a compiled binary's embedded
 * copy, the bundle: no task starts those).
 */
function checkoutDir(): string | undefined {
  if (BUNDLED || !import.meta.url.startsWith("file:")) return undefined;
  try {
    return Deno.realPathSync(new URL("../../", import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * The directory the user ran clinvk from. `deno task clinvk` (like `npm run`) runs the task in
 * the checkout that defines it and passes the caller's directory in `INIT_CWD`: without this, a
 * task run from `~/proj` would record `~/clinvk` as the session's directory. `INIT_CWD` is
 * believed only when the process really starts in clinvk's own checkout: npm, yarn and any
 * `deno task` export it to everything they start, so a project's task that does
 * `cd packages/web && clinvk "…"` would otherwise run the backend in the project's root.
 */
function callerCwd(): string {
  const cwd = Deno.cwd();
  try {
    const initCwd = Deno.env.get("INIT_CWD");
    if (!initCwd || initCwd === cwd) return cwd;
    if (Deno.realPathSync(cwd) !== checkoutDir()) return cwd;
    if (Deno.statSync(initCwd).isDirectory) return initCwd;
  } catch {
    // Not set, gone, or not readable under these permissions: the process's own directory.
  }
  return cwd;
}

/**
 * The platform of the `clinvk` command: synchronous file calls (a command run has nothing else
 * to do while the disk works, and they make the session store several times cheaper at scale,
 * see `sync_fs.ts`), and the caller's directory under `deno task`.
 */
export function commandPlatform(): Platform {
  // Asked for when needed: a denied permission is then reported by the command that needs it.
  let cwd: string | undefined;
  return { ...denoPlatform(), fs: syncFs(), cwd: () => cwd ??= callerCwd() };
}
