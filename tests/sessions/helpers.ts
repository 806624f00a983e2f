/**
 * Shared setup of the session store tests: a temp CLINVK_HOME, a store on the real file
 * system with a settable clock and captured warnings, hand-written session files, and real
 * second processes.
 * @module
 */
import { join } from "node:path";
import { createFileStore } from "../../src/sessions/file_store.ts";
import type { FileStoreOptions } from "../../src/sessions/file_store.ts";
import type { SessionRecord } from "../../src/sessions/record.ts";
import type { NewSession, SessionStore } from "../../src/sessions/store_types.ts";
import type { Fs } from "../../src/platform/types.ts";
import { denoThreads } from "../../src/platform/threads.ts";
import { strandedLockWaits } from "../../src/sessions/lock_wait.ts";

/**
 * Set (to anything) to run every store of these tests with its directory scans on worker
 * threads, however small the store (`scan_threads_test.ts` reruns suites that way).
 */
export const SCAN_THREADS_ENV = "CLINVK_TEST_SCAN_THREADS";

/** The store options that put every scan on threads, when {@linkcode SCAN_THREADS_ENV} asks. */
function scanThreads(): Partial<FileStoreOptions> {
  return Deno.env.get(SCAN_THREADS_ENV)
    ? { threads: denoThreads(), scanTuning: { threadsFrom: 1, threadsOnly: true } }
    : {};
}

/** A clock tests move by hand. */
export class TestClock {
  current: Date;
  constructor(iso = "2025-01-27T10:00:00Z") {
    this.current = new Date(iso);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** A store under a fresh temp home; `await using` removes the home afterwards. */
export interface TestStore extends AsyncDisposable {
  home: string;
  dir: string;
  store: SessionStore;
  clock: TestClock;
  warnings: string[];
  /** Another store on the same home (another "process" of this one). */
  reopen(overrides?: Partial<FileStoreOptions>): SessionStore;
}

/** Creates a {@linkcode TestStore}. */
export async function testStore(overrides: Partial<FileStoreOptions> = {}): Promise<TestStore> {
  const home = join(await Deno.makeTempDir({ prefix: "clinvk-store-" }), "home");
  const clock = new TestClock();
  const warnings: string[] = [];
  const reopen = (more: Partial<FileStoreOptions> = {}) =>
    createFileStore({
      home,
      fs: Deno,
      clock,
      pid: Deno.pid,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      warn: (message) => warnings.push(message),
      lockTimeoutMs: 2_000,
      ...scanThreads(),
      ...overrides,
      ...more,
    });
  const store = reopen();
  return {
    home,
    dir: join(home, "sessions"),
    store,
    clock,
    warnings,
    reopen,
    async [Symbol.asyncDispose]() {
      await Deno.remove(join(home, ".."), { recursive: true });
    },
  };
}

/**
 * Waits until every timed-out wait for a lock of this process has ended (they end when the
 * lock's holder lets go: `src/sessions/lock_wait.ts`). Polled: they end in another thread; the
 * bound only keeps a broken build from hanging.
 */
export async function settledLockWaits(): Promise<void> {
  for (let tries = 0; strandedLockWaits() > 0; tries++) {
    if (tries >= 1_000) throw new Error("A timed-out lock wait never ended");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A minimal valid {@linkcode NewSession}. */
export function newSession(overrides: Partial<NewSession> = {}): NewSession {
  return {
    backend: "claude",
    model: null,
    workdir: "/projects/app",
    prompt: "fix the bug in auth.go",
    tags: [],
    ...overrides,
  };
}

/** A full, valid record as the guide shows it, for writing files by hand. */
export function recordJson(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    backend: "claude",
    backend_session_id: `sess_${id}`,
    model: "claude-opus-4-5-20251101",
    status: "active",
    created_at: "2025-01-27T10:00:00Z",
    last_used_at: "2025-01-27T11:30:00Z",
    workdir: "/projects/myapp",
    prompt: "fix the bug in auth.go",
    token_usage: { input: 1234, output: 5678, cached: 500, total: 6912 },
    tags: ["bugfix", "auth"],
    turn_count: 1,
    metadata: { exit_code: 0, duration_seconds: 2.5 },
    schema_version: 1,
    ...overrides,
  };
}

/** Writes `sessions/<id>.json` by hand, as a user or a script would. */
export async function writeByHand(dir: string, name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    path,
    typeof content === "string" ? content : JSON.stringify(content, null, 2),
  );
  return path;
}

/**
 * mtimes have millisecond resolution: wait past the current millisecond so a hand change is
 * not in the same tick as the store's last write (a person cannot be that fast either).
 */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

/** Names in a directory, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** Wraps `Deno` to count whole-file reads of session files (`*.json`). */
export function countingFs(): { fs: Fs; sessionReads: () => number; reset: () => void } {
  let reads = 0;
  const fs: Fs = {
    ...Deno,
    readFile(path, options) {
      if (String(path).endsWith(".json")) reads++;
      return Deno.readFile(path, options);
    },
  };
  return { fs, sessionReads: () => reads, reset: () => (reads = 0) };
}

/** A real second `deno run` of a fixture, with its stdin held open until `finish()`. */
export interface FixtureProcess extends AsyncDisposable {
  pid: number;
  /** Waits for the next line the fixture prints. */
  nextLine(): Promise<string>;
  /** Writes text to its stdin. */
  send(text: string): Promise<void>;
  /** Closes its stdin (fixtures release what they hold and exit), waits, returns the code. */
  finish(): Promise<number>;
}

const FIXTURES = new URL("./fixtures/", import.meta.url);

/** Starts `tests/sessions/fixtures/<name>` with `args`. */
export function startFixture(name: string, args: string[]): FixtureProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      "--allow-read",
      "--allow-write",
      new URL(name, FIXTURES).pathname,
      ...args,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const writer = child.stdin.getWriter();
  let finished: Promise<number> | undefined;
  const finish = () => {
    finished ??= (async () => {
      await writer.close().catch(() => {});
      const status = await child.status;
      await lines.cancel().catch(() => {});
      return status.code;
    })();
    return finished;
  };
  return {
    pid: child.pid,
    async nextLine() {
      while (!buffered.includes("\n")) {
        const { value, done } = await lines.read();
        if (done) throw new Error(`Fixture ${name} exited before printing a line`);
        buffered += value;
      }
      const end = buffered.indexOf("\n");
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      return line;
    },
    send: (text) => writer.write(new TextEncoder().encode(text)),
    finish,
    async [Symbol.asyncDispose]() {
      await finish();
    },
  };
}
