/**
 * This machine's process table, from `ps` (procps on Linux, BSD `ps` on macOS): what clinvk
 * needs to find a backend that the clinvk running it left behind (killed with SIGKILL, by the
 * OOM killer, by a CI runner) and to tell it from an unrelated process that was later given
 * the same pid. `ps` and not `/proc`: Deno reads nothing under `/proc` without `--allow-all`,
 * and `ps` also exists on macOS; it runs under the `--allow-run` clinvk has for the backends.
 * @module
 */
import { runGranted } from "./run_permission.ts";
import type { ProcessInfo, ProcessQuery, ProcessTable } from "./types.ts";

const decoder = new TextDecoder();

/**
 * How long one question may take. `ps` answers in milliseconds, but it can hang (reading the
 * environment of a process stuck in the kernel, a broken wrapper on PATH): an answer that does
 * not come is no answer, and clinvk, waiting for it to take a lease, must not wait for ever.
 */
export const QUERY_TIMEOUT_MS = 5_000;

/**
 * Runs `program` with `args`; its stdout, or `undefined` when it failed, could not run or did
 * not answer within {@linkcode QUERY_TIMEOUT_MS} (it is then killed).
 */
async function query(
  program: string,
  args: string[],
  options: ProcessQuery = {},
): Promise<string | undefined> {
  // Not allowed by a narrower --allow-run: asking would prompt on a terminal, mid-turn.
  if (!runGranted(program)) return undefined;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      // Start times in one fixed form, whatever the user's locale and time zone.
      env: { LC_ALL: "C", TZ: "UTC" },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
  } catch {
    // Not installed, or not allowed by a narrower --allow-run.
    return undefined;
  }
  if (options.unref) child.unref();
  const answer = child.output().then(
    ({ success, stdout }) => success ? decoder.decode(stdout) : undefined,
    () => undefined,
  );
  let resolveLate: (value: undefined) => void = () => {};
  const late = new Promise<undefined>((resolve) => resolveLate = resolve);
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // It ended meanwhile.
    }
    // A process stuck in the kernel dies only when it leaves it: not waited for.
    child.unref();
    resolveLate(undefined);
  }, QUERY_TIMEOUT_MS);
  if (options.unref) Deno.unrefTimer(timer);
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A zombie (Z) or dead (X) process runs nothing any more; only its parent's wait is missing. */
const ended = (stat: string | undefined) => stat === undefined || /^[ZX]/.test(stat);

/**
 * Parses a `ps -o pgid=,stat=,lstart=` line, e.g. `4242 S+   Tue Dec  1 18:16:12 2026`;
 * `undefined` for a process that has ended or a line of another shape.
 */
export function parseInfoLine(line: string): ProcessInfo | undefined {
  const [pgid, stat, ...start] = line.trim().split(/\s+/);
  const group = Number(pgid);
  if (!Number.isSafeInteger(group) || group <= 0 || ended(stat) || start.length < 5) {
    return undefined;
  }
  return { pgid: group, start: start.join(" ") };
}

/** The process table of this machine (Linux, macOS and other systems with a POSIX `ps`). */
export function psProcessTable(os: typeof Deno.build.os): ProcessTable {
  // The answer is kept, not the question: an unref'd question must not be awaited by a caller
  // that needs the answer to keep clinvk running.
  let host: string | undefined;
  return {
    async host(options) {
      return host ??= (await query("uname", ["-n"], options))?.trim() || undefined;
    },
    async info(pid, options) {
      const line = await query("ps", ["-o", "pgid=,stat=,lstart=", "-p", String(pid)], options);
      return line === undefined ? undefined : parseInfoLine(line);
    },
    async groupMembers(pgid) {
      const table = await query("ps", ["-A", "-o", "pid=,pgid=,stat="]) ?? "";
      return table.split("\n").flatMap((line) => {
        const [pid, group, stat] = line.trim().split(/\s+/);
        return Number(group) === pgid && !ended(stat) ? [Number(pid)] : [];
      });
    },
    async startedWithEnv(pid, entry) {
      // The command line followed by the environment it was started with, space-separated.
      const shown = os === "darwin" ? ["-E", "-ww"] : ["eww"];
      const line = await query("ps", [...shown, "-o", "command=", "-p", String(pid)]);
      return line?.trim().split(/\s+/).includes(entry) ?? false;
    },
    signalGroup(pgid, signal) {
      if (!runGranted()) return;
      try {
        Deno.kill(-pgid, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}
