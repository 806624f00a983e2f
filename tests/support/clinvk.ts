/**
 * Runs the real clinvk as a separate process, as a user would, inside a hermetic sandbox with
 * the fake backends first on PATH.
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeSandbox, withFakeEnv } from "../fixtures/fake_backends.ts";

/** The repository root. */
export const repoRoot: string = fileURLToPath(new URL("../../", import.meta.url));
const mainTs = join(repoRoot, "src", "main.ts");
const denoJson = join(repoRoot, "deno.json");

/** The permission flags the README documents, exactly. */
export const RUN_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-net=127.0.0.1",
];

/** Output of one clinvk run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode Sandbox.run}. */
export interface RunOptions {
  cwd?: string;
  /**
   * Piped to stdin: text, bytes, or a stream (e.g. an endless one, like `< /dev/zero`); without
   * it stdin is /dev/null. clinvk may stop reading early: the rest is then dropped.
   */
  stdin?: string | Uint8Array | ReadableStream<Uint8Array>;
  env?: Record<string, string>;
  /** Replaces the permission flags (permission tests). */
  permissions?: string[];
  /** Runs this program instead of `src/main.ts`: a bundle's `main.js` (`deno task bundle`). */
  entry?: string;
}

/** A sandbox with a clinvk home, a work directory (a git repo) and the fakes on PATH. */
export interface Sandbox extends FakeSandbox {
  /** `CLINVK_HOME`. */
  home: string;
  /** `<home>/sessions`. */
  sessionsDir: string;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  /** Runs and parses stdout as JSON; fails the test on a non-zero exit. */
  json<T = Record<string, unknown>>(args: string[], options?: RunOptions): Promise<T>;
}

/** The environment of a clinvk run in `sandbox`. */
export function clinvkEnv(sandbox: FakeSandbox, home: string): Record<string, string> {
  return { ...sandbox.env, CLINVK_HOME: home, COLUMNS: "120", USER: "tester" };
}

/**
 * The command line that runs clinvk from source with the documented permissions (or
 * `permissions`): the Deno binary first, for tests that start it through a shell. With
 * `entry` (a bundle's `main.js`) it runs that, as a user would: without clinvk's `deno.json`.
 */
export function clinvkArgv(permissions: string[] = RUN_PERMISSIONS, entry?: string): string[] {
  const program = entry ? [entry] : ["--config", denoJson, mainTs];
  return [Deno.execPath(), "run", "--quiet", ...permissions, ...program];
}

/** Starts clinvk and returns the running process (stdout and stderr piped). */
export function spawnClinvk(
  env: Record<string, string>,
  args: string[],
  options: RunOptions & { cwd: string },
): Deno.ChildProcess {
  const [deno, ...argv] = clinvkArgv(options.permissions, options.entry);
  return new Deno.Command(deno!, {
    args: [...argv, ...args],
    cwd: options.cwd,
    env: { ...env, ...options.env },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Writes `input` to a child's stdin and closes it. A child that exits before reading it all
 * (clinvk stops at its prompt limit) closes the pipe; that is not a failure here.
 */
async function feed(
  stdin: WritableStream<Uint8Array>,
  input: string | Uint8Array | ReadableStream<Uint8Array>,
): Promise<void> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const stream = bytes instanceof ReadableStream ? bytes : ReadableStream.from([bytes]);
  await stream.pipeTo(stdin).catch(() => {});
}

/** An endless stream of `chunk`, as `< /dev/zero` or `yes |` would pipe. */
export function endless(chunk: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({ pull: (controller) => controller.enqueue(chunk) });
}

/** Starts clinvk; resolves when it exits. */
export async function runClinvk(
  env: Record<string, string>,
  args: string[],
  options: RunOptions & { cwd: string },
): Promise<CliResult> {
  const child = spawnClinvk(env, args, options);
  const feeding = options.stdin === undefined ? undefined : feed(child.stdin, options.stdin);
  const output = await child.output();
  await feeding;
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs `fn` in a fresh sandbox, removed afterwards. */
export function withSandbox(fn: (sandbox: Sandbox) => Promise<void>): Promise<void> {
  return withFakeEnv(async (fake) => {
    const home = join(fake.dir, "clinvk");
    const env = clinvkEnv(fake, home);
    const run = (args: string[], options: RunOptions = {}) =>
      runClinvk(env, args, { ...options, cwd: options.cwd ?? fake.work });
    const sandbox: Sandbox = {
      ...fake,
      env: { ...fake.env, ...env } as typeof fake.env,
      home,
      sessionsDir: join(home, "sessions"),
      run,
      async json<T>(args: string[], options?: RunOptions): Promise<T> {
        const result = await run(args, options);
        if (result.code !== 0) {
          throw new Error(`clinvk ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
        }
        return JSON.parse(result.stdout) as T;
      },
    };
    await fn(sandbox);
  });
}
