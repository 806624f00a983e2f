/**
 * The real {@linkcode Platform}, backed by Deno's APIs.
 * @module
 */
import {
  type Child,
  type Input,
  type Output,
  type Platform,
  SpawnError,
  type SpawnOptions,
} from "./types.ts";

const encoder = new TextEncoder();

function output(file: typeof Deno.stdout | typeof Deno.stderr): Output {
  return {
    write(text: string) {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
    },
    isTerminal: () => file.isTerminal(),
    columns() {
      try {
        return file.isTerminal() ? Deno.consoleSize().columns : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

const stdin: Input = {
  isTerminal: () => Deno.stdin.isTerminal(),
  readAll: () => new Response(Deno.stdin.readable).text(),
  setRaw: (raw: boolean) => Deno.stdin.setRaw(raw),
  get readable() {
    return Deno.stdin.readable;
  },
};

function spawn(options: SpawnOptions): Child {
  const command = new Deno.Command(options.command, {
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdinText === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
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
    kill(signal = "SIGTERM") {
      try {
        // Windows has no SIGTERM/SIGINT for child processes; only a hard kill exists there.
        child.kill(Deno.build.os === "windows" ? "SIGKILL" : signal);
      } catch {
        // Already exited.
      }
    },
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
    env: { get: (name) => Deno.env.get(name) },
    clock: { now: () => new Date() },
    os: Deno.build.os,
    runtime: { ...Deno.version, arch: Deno.build.arch },
    pid: Deno.pid,
    cwd: () => Deno.cwd(),
    stdin,
    stdout: output(Deno.stdout),
    stderr: output(Deno.stderr),
    spawn,
    async runAttached(options) {
      const command = new Deno.Command(options.command, {
        args: options.args,
        cwd: options.cwd,
        env: options.env,
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      });
      try {
        return (await command.output()).code;
      } catch (error) {
        throw toSpawnError(error, options);
      }
    },
    onInterrupt(handler) {
      Deno.addSignalListener("SIGINT", handler);
      return () => Deno.removeSignalListener("SIGINT", handler);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
