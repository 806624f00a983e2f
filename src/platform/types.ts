/**
 * The thin layer over Deno's APIs that the rest of clinvk receives as a parameter.
 * Only `src/platform/` and `src/main.ts` touch `Deno.*` at run time; everything else gets a
 * {@linkcode Platform} so tests can inject faults (full disk, denied permissions) without
 * mocking globals.
 * @module
 */
import type { OpenSqlite } from "./sqlite.ts";

import type { ServerHost } from "./http_server.ts";
import type { Threads } from "./threads.ts";

/** The file-system calls clinvk uses, with Deno's own signatures. */
export type Fs = Pick<
  typeof Deno,
  | "open"
  | "readFile"
  | "readTextFile"
  | "writeFile"
  | "writeTextFile"
  | "rename"
  | "remove"
  | "mkdir"
  | "stat"
  | "lstat"
  | "readLink"
  | "readDir"
  | "realPath"
  | "chmod"
  | "copyFile"
>;

/** Read-only view of the environment. */
export interface Env {
  get(name: string): string | undefined;
}

/** Wall clock; tests pass a fixed one. */
export interface Clock {
  now(): Date;
}

/** Options of {@linkcode Platform.spawn}. `args` is an argv array, never a shell string. */
export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  /** Extra variables merged over the inherited environment. */
  env?: Record<string, string>;
  /** Text written to the child's stdin, then closed; without it stdin is /dev/null. */
  stdinText?: string;
}

/** Options of {@linkcode Platform.runAttached}. */
export interface AttachedOptions extends Omit<SpawnOptions, "stdinText"> {
  /** Aborting it sends the child the abort reason's signal (see `StopRequest`), else SIGINT. */
  signal?: AbortSignal;
}

/** Why a process could not be started. */
export type SpawnFailure = "not-found" | "permission-denied" | "bad-cwd" | "other";

/**
 * Thrown by an {@linkcode Output} whose write failed for a reason other than a reader that
 * went away (`>/dev/full`, a full disk under a redirect, a closed descriptor): the failure is
 * stdout's or stderr's, not clinvk's store, and is reported as such.
 */
export class StreamWriteError extends Error {
  /** A failed write to `stream`; `cause` is the file-system error. */
  constructor(readonly stream: "stdout" | "stderr", cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "StreamWriteError";
  }
}

/** Thrown by {@linkcode Platform.spawn} when the process cannot be started. */
export class SpawnError extends Error {
  constructor(readonly failure: SpawnFailure, message: string) {
    super(message);
    this.name = "SpawnError";
  }
}

/** Exit status of a child process. */
export interface ChildStatus {
  code: number;
  signal: string | null;
}

/** The signals clinvk sends to a child: stop requests it forwards, and the hard kill. */
export type ChildSignal = "SIGTERM" | "SIGKILL" | "SIGINT" | "SIGHUP";

/** A running child process. */
export interface Child {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<ChildStatus>;
  /**
   * Signals the child's whole process group (the child and everything it started), so that a
   * CLI that re-spawns itself or a wrapper script is reached too. Does nothing once the group
   * is gone.
   */
  kill(signal?: ChildSignal): void;
}

/** A process as the process table shows it. */
export interface ProcessInfo {
  /** Its process group. */
  pgid: number;
  /**
   * When it started, to the second (`ps`'s `lstart`, in UTC): what tells it from a later
   * process that was given the same pid.
   */
  start: string;
}

/** How to ask a {@linkcode ProcessTable}. */
export interface ProcessQuery {
  /**
   * Do not keep clinvk running for the answer: for a caller that does not wait for it, so that
   * a turn whose backend ended at once is not held up by `ps`.
   */
  unref?: boolean;
}

/**
 * This machine's processes, as `ps` shows them (Linux and macOS; Deno itself may not read
 * `/proc` without `--allow-all`); absent on Windows. Every answer is a snapshot: a process may
 * end, and its pid be given to another, right after. Where `ps` cannot run (not installed,
 * `--allow-run` limited to the backends) nothing is known.
 */
export interface ProcessTable {
  /** This machine's name: pids mean nothing on another; `undefined` when it cannot be told. */
  host(options?: ProcessQuery): Promise<string | undefined>;
  /** `pid`'s group and start; `undefined` once it has ended (a zombie counts as ended). */
  info(pid: number, options?: ProcessQuery): Promise<ProcessInfo | undefined>;
  /** The pids of every running process of the process group `pgid`. */
  groupMembers(pgid: number): Promise<number[]>;
  /** Whether `pid` was started with `entry` (`NAME=value`) in its environment. */
  startedWithEnv(pid: number, entry: string): Promise<boolean>;
  /** Signals every process of the group `pgid`; does nothing once the group is gone. */
  signalGroup(pgid: number, signal: "SIGTERM" | "SIGKILL"): void;
}

/** A byte sink such as stdout or stderr. */
export interface Output {
  write(text: string): void;
  /**
   * Writes UTF-8 bytes as they are (a large text already in bytes need not be turned into a
   * string and back); sinks without it are given the decoded text instead.
   */
  writeBytes?(bytes: Uint8Array): void;
  isTerminal(): boolean;
  /** Terminal width in columns, when known. */
  columns(): number | undefined;
}

/** Standard input. */
export interface Input {
  isTerminal(): boolean;
  /**
   * Reads stdin until it ends or `limit` bytes have arrived, whichever comes first, so an
   * endless input (`< /dev/zero`, `yes |`) cannot grow memory. Only when it is not a terminal.
   */
  readUpTo(limit: number): Promise<Uint8Array>;
  /** Raw key input for pickers; `undefined` when stdin is not a terminal. */
  setRaw(raw: boolean): void;
  readable: ReadableStream<Uint8Array>;
}

/** Everything clinvk needs from the outside world. */
export interface Platform {
  fs: Fs;
  /** Opens SQLite databases (the session catalog). */
  openSqlite: OpenSqlite;
  env: Env;
  clock: Clock;
  os: typeof Deno.build.os;
  /** Versions and CPU architecture of the runtime. */
  runtime: { deno: string; v8: string; typescript: string; arch: string };
  pid: number;
  cwd(): string;
  stdin: Input;
  stdout: Output;
  stderr: Output;
  /** Starts a child process; throws {@linkcode SpawnError} when it cannot be started. */
  spawn(options: SpawnOptions): Child;
  /**
   * Runs a program attached to this terminal (stdin, stdout and stderr inherited) and resolves
   * to its exit code; throws {@linkcode SpawnError} when it cannot be started.
   */
  runAttached(options: AttachedOptions): Promise<number>;
  /**
   * Registers a handler for the signals that stop clinvk — SIGINT (Ctrl-C), SIGTERM and SIGHUP
   * (SIGINT only on Windows) — and returns a function that removes it. While a handler is
   * registered those signals no longer end the process.
   */
  onInterrupt(handler: (signal: "SIGINT" | "SIGTERM" | "SIGHUP") => void): () => void;
  /** Sleeps for `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Listening for HTTP requests (`clinvk serve`). */
  server: ServerHost;
  /** Worker threads (the session store's scans of large stores); absent: none are used. */
  threads?: Threads;
  /** This machine's processes (not on Windows); absent: backends left behind are not looked for. */
  processes?: ProcessTable;
}
