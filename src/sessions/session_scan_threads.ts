/**
 * Scanning the session files (`session_scan.ts`) of a large store on several threads. Why:
 * under `--allow-read`, Deno resolves every path it is given for the permission check (four
 * `readlink` calls before each `open` or `lstat`) on the thread making the call, so at
 * 100,000 sessions looking at every file — and, for a rebuild, reading and parsing every one
 * — is seconds of one core (docs/performance.md).
 *
 * How: worker threads (`session_scan_worker.ts`) and this thread take slices of the names
 * from one shared counter, so whoever is free takes the next and a busy core slows only its
 * own share (this thread never waits for a worker that is slow to start); the results are
 * joined in the names' order, so the answer is the one a single thread gives. While the
 * workers take their first slices, this thread reads the catalog's stamps. A worker that
 * cannot start, fails or is denied a permission leaves its slices to this thread, which does
 * them (or reports the failure) exactly as without threads. Small stores do not pay for
 * starting a thread (~25 ms of this thread, more of its own). Measured: two threads do this
 * work about 1.3× as fast as one, not 2× (docs/performance.md).
 * @module
 */
import type { Threads } from "../platform/threads.ts";
import { joinScans, scanSessionFiles } from "./session_scan.ts";
import type { ScanRead, SessionDirListing, SessionScan } from "./session_scan.ts";
import type { ScanReply, ScanRequest } from "./session_scan_worker.ts";
import type { StoreContext } from "./store_context.ts";

/**
 * From how many files a scan uses threads: looking at a file under `--allow-read` costs about
 * 7 µs, reading and parsing one about 60 µs; a thread costs this one ~25 ms to start and is
 * ready ~30–60 ms later, so below a few thousand files one thread is done first.
 */
export const THREADS_FROM = { look: 10_000, read: 5_000 } as const;

/** Names per slice: small enough to share the work evenly, large enough to cost nothing. */
const SLICE = { look: 2_000, read: 400 } as const;

/** Worker threads at most (beside this one): the work is bound by cores, then the disk. */
const MAX_WORKERS = 3;

/** The worker module (in `src/worker_modules.ts`, so that `deno compile` includes it). */
const WORKER_URL = new URL("./session_scan_worker.ts", import.meta.url);

/** How many workers to start for `count` files (0: all on this thread). */
function workersFor(ctx: StoreContext, count: number, read?: ScanRead, alone = false): number {
  const threads = ctx.threads;
  if (!threads || threads.cores < 2 || count === 0) return 0;
  if (count < (ctx.scanTuning?.threadsFrom ?? THREADS_FROM[read ? "read" : "look"])) return 0;
  // A thread per core, this one's included unless it has work of its own meanwhile.
  return Math.min(alone ? threads.cores : threads.cores - 1, MAX_WORKERS);
}

/** What {@linkcode scanDirectory} is asked. */
export interface DirectoryScanOptions<L extends SessionDirListing, B> {
  /** About how many session files there are (the catalog's count). */
  expected: number;
  read?: ScanRead;
  /** Lists the directory (and may sweep it). */
  list: () => Promise<L>;
  /** This thread's own work while the workers begin. */
  beside: () => B;
  /**
   * Takes each slice's scan as soon as it is done, in any order (a rebuild stores the rows of
   * each while the threads read on); this thread then leaves the slices to the workers.
   */
  onPart?: (part: SessionScan) => void;
}

/**
 * Lists the sessions directory `dir` (ending with the separator) and scans its session files.
 * With many expected, workers start before the directory is listed, so that they are ready
 * when it is.
 */
export async function scanDirectory<L extends SessionDirListing, B>(
  ctx: StoreContext,
  dir: string,
  options: DirectoryScanOptions<L, B>,
): Promise<{ listed: L; scan: SessionScan; beside: B }> {
  const { read, onPart } = options;
  let crew = startWorkers(ctx.threads, workersFor(ctx, options.expected, read, !!onPart));
  try {
    const listed = await options.list();
    if (crew.length === 0) {
      crew = startWorkers(ctx.threads, workersFor(ctx, listed.names.length, read, !!onPart));
    }
    let beside: B | undefined;
    const scan = await scanNames(ctx, dir, listed.names, read, crew, {
      beside: () => beside = options.beside(),
      onPart,
    });
    return { listed, scan, beside: beside as B };
  } finally {
    for (const worker of crew) worker.stop();
  }
}

/** Scans `names` of `dir` (ending with the separator), on threads when there are many. */
export async function scanFiles(
  ctx: StoreContext,
  dir: string,
  names: readonly string[],
  read?: ScanRead,
): Promise<SessionScan> {
  const crew = startWorkers(ctx.threads, workersFor(ctx, names.length, read));
  try {
    return await scanNames(ctx, dir, names, read, crew, {});
  } finally {
    for (const worker of crew) worker.stop();
  }
}

/**
 * Scans `names` with `crew` and this thread, which first runs `beside` (its own work, done
 * while the workers start on the slices) and takes slices too unless they go to `onPart`.
 */
async function scanNames(
  ctx: StoreContext,
  dir: string,
  names: readonly string[],
  read: ScanRead | undefined,
  crew: ScanWorker[],
  hooks: { beside?: () => void; onPart?: (part: SessionScan) => void },
): Promise<SessionScan> {
  // A part's taker may throw (a full disk under the catalog): in a worker's message handler
  // that would be uncaught, so it is kept and thrown once the scan is over.
  let failure: { error: unknown } | undefined;
  const onPart = hooks.onPart && ((part: SessionScan) => {
    if (failure) return;
    try {
      hooks.onPart!(part);
    } catch (error) {
      failure = { error };
    }
  });
  const here = async (part: readonly string[]) => {
    const scan = await scanSessionFiles(ctx.fs, dir, part, read);
    onPart?.(scan);
    return scan;
  };
  const done = (scan: SessionScan) => {
    if (failure) throw failure.error;
    return scan;
  };
  const working = crew.filter((worker) => worker.alive);
  if (working.length === 0 || names.length === 0) {
    hooks.beside?.();
    return done(await here(names));
  }
  const slice = Math.min(SLICE[read ? "read" : "look"], Math.ceil(names.length / 4));
  const count = Math.ceil(names.length / slice);
  const claims = new Int32Array(new SharedArrayBuffer(4));
  const parts = new Array<SessionScan | undefined>(count);
  const workers = working.map((worker) =>
    worker.scan({ dir, names, claims, slice, read }, parts, onPart)
  );
  hooks.beside?.();
  const sliceOf = (at: number) => names.slice(at * slice, (at + 1) * slice);
  const next = () => Atomics.add(claims, 0, 1);
  if (!ctx.scanTuning?.threadsOnly && !onPart) {
    for (let at = next(); at < count; at = next()) parts[at] = await here(sliceOf(at));
  }
  await Promise.all(workers);
  // Slices a worker failed (or died on): here, where a failure is reported as usual.
  for (let at = 0; at < count; at++) parts[at] ??= await here(sliceOf(at));
  return done(joinScans(parts as SessionScan[]));
}

/** One worker thread of a scan. */
interface ScanWorker {
  /** Whether it started and has not failed. */
  readonly alive: boolean;
  /** Scans slices into `parts` (and `onPart`) until none is left or it fails; never rejects. */
  scan(
    request: ScanRequest,
    parts: (SessionScan | undefined)[],
    onPart?: (part: SessionScan) => void,
  ): Promise<void>;
  stop(): void;
}

function startWorkers(threads: Threads | undefined, count: number): ScanWorker[] {
  const crew: ScanWorker[] = [];
  for (let k = 0; threads && k < count; k++) {
    const worker = startWorker(threads);
    if (worker) crew.push(worker);
  }
  return crew;
}

function startWorker(threads: Threads): ScanWorker | undefined {
  let worker: Worker;
  try {
    worker = threads.start(WORKER_URL);
  } catch {
    return undefined;
  }
  let alive = true;
  let onReply: ((reply: ScanReply | undefined) => void) | undefined;
  const fail = () => {
    alive = false;
    onReply?.(undefined);
  };
  worker.onmessage = (event: MessageEvent<ScanReply>) => onReply?.(event.data);
  // A module that cannot be loaded, or any uncaught error: handled here, not rethrown.
  worker.onerror = (event) => {
    event.preventDefault();
    fail();
  };
  worker.onmessageerror = fail;
  return {
    get alive() {
      return alive;
    },
    scan(request, parts, onPart) {
      if (!alive) return Promise.resolve();
      return new Promise((resolve) => {
        onReply = (reply) => {
          if (reply && "scan" in reply) {
            parts[reply.at] = reply.scan;
            onPart?.(reply.scan);
            return;
          }
          // Done, or failed (a slice, or the whole worker): whatever it did not send is redone.
          if (!reply || !("done" in reply)) alive = false;
          if (!reply || "done" in reply || !("at" in reply)) {
            onReply = undefined;
            resolve();
          }
        };
        worker.postMessage(request);
      });
    },
    stop: () => worker.terminate(),
  };
}
