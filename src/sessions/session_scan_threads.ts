/**
 * Scanning the session files (`session_scan.ts`) of a large store on several threads. Why:
 * under `--allow-read`, Deno resolves every path it opens for the permission check (a
 * `readlink` per path component before each `open`) on the thread making the call, and an
 * `lstat` costs ~7 µs of it too, so at 100,000 sessions looking at every file — and, for a
 * rebuild, reading and parsing every one — is seconds of one core (docs/performance.md).
 *
 * How: worker threads (`session_scan_worker.ts`) and this thread take slices of the names
 * from one shared counter, so whoever is free takes the next and a busy core slows only its
 * own share (this thread never waits for a worker that is slow to start); the results are
 * joined in the names' order, so the answer is the one a single thread gives. When workers
 * were started before the directory is listed (a large catalog), one of them lists it while
 * this thread reads the catalog's stamps, and while the workers take their first slices this
 * thread does its own work (a full listing's answer). A worker that cannot start, fails or is
 * denied a permission leaves its slices (and the listing) to this thread, which does them (or
 * reports the failure) exactly as without threads; one that never answers is not
 * waited for once no slice is left to claim, or only briefly if it claimed one. Threads are
 * used only when the worker module is a local file (a checkout or a compiled binary). Small
 * stores do not pay for starting a thread (~25 ms of this thread, more of its own). Measured:
 * two threads do this work about 1.3× as fast as one, not 2× (docs/performance.md).
 * @module
 */
import { moduleUrl } from "../module_url.ts";
import type { Threads } from "../platform/threads.ts";
import { joinScans, listSessionDir, scanSessionFiles } from "./session_scan.ts";
import type { ScanRead, SessionDirListing, SessionScan } from "./session_scan.ts";
import type { ListReply, ListRequest, ScanReply, ScanRequest } from "./session_scan_worker.ts";
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

/**
 * The worker module (in `src/worker_modules.ts`, so that `deno compile` includes it). Threads
 * are used only when it is a local file (a checkout, or a compiled binary): loaded from
 * elsewhere (`deno run jsr:…`, perhaps offline) a worker that fails to load makes Deno print
 * an error on stderr that no handler can keep back.
 */
const WORKER_URL = moduleUrl("src/sessions/session_scan_worker.ts");

/**
 * How long a scan waits, once no slice is left to claim, for a worker that claimed one and
 * has not answered: a slice takes some 20 ms, so a worker silent this long is stuck (or the
 * machine is); it is stopped and its slices are done on this thread.
 */
const WORKER_WAIT_MS = 2_000;

/** Whether workers can be started from `url` without risk of Deno printing a load failure. */
export function workersUsable(url: URL): boolean {
  return url.protocol === "file:";
}

/** How many workers to start for `count` files (0: all on this thread). */
function workersFor(ctx: StoreContext, count: number, read?: ScanRead, alone = false): number {
  const threads = ctx.threads;
  if (!threads || threads.cores < 2 || count === 0 || !workersUsable(WORKER_URL)) return 0;
  if (count < (ctx.scanTuning?.threadsFrom ?? THREADS_FROM[read ? "read" : "look"])) return 0;
  // A thread per core, this one's included unless it has work of its own meanwhile.
  return Math.min(alone ? threads.cores : threads.cores - 1, MAX_WORKERS);
}

/** What {@linkcode scanDirectory} is asked. */
export interface DirectoryScanOptions<L extends SessionDirListing, B> {
  /** About how many session files there are (the catalog's count). */
  expected: number;
  read?: ScanRead;
  /**
   * Lists the directory (and may sweep it) with `listing`, which lists it on a worker already
   * started, if any, while this thread does `beside` (the first time; later, here).
   */
  list: (listing: () => Promise<SessionDirListing>) => Promise<L>;
  /** This thread's own work while the workers begin (done once). */
  beside: () => B;
  /** More of this thread's own work, done after `beside`, while the workers look at files. */
  meanwhile?: () => void;
  /**
   * Takes each slice's scan as soon as it is done, in any order (a rebuild stores the rows of
   * each while the threads read on); this thread takes slices too, between the workers'.
   */
  onPart?: (part: SessionScan) => void;
}

/**
 * Lists the sessions directory `dir` (ending with the separator) and scans its session files.
 * With many expected, workers start before the directory is listed, and one of them lists it
 * (100,000 entries: ~0.25 s) while this thread does `beside`; the others are ready when it is.
 */
export async function scanDirectory<L extends SessionDirListing, B>(
  ctx: StoreContext,
  dir: string,
  options: DirectoryScanOptions<L, B>,
): Promise<{ listed: L; scan: SessionScan; beside: B }> {
  const { read, onPart } = options;
  let crew = startWorkers(ctx.threads, workersFor(ctx, options.expected, read, !!onPart));
  try {
    let done: { beside: B } | undefined;
    const beside = () => (done ??= { beside: options.beside() }).beside;
    let lister = crew.find((worker) => worker.alive);
    const listing = async () => {
      const worker = lister;
      lister = undefined;
      // A worker that fails or is slow to answer: listed here, errors reported as usual.
      const listed = worker &&
        await worker.list(dir, ctx.scanTuning?.workerWaitMs ?? WORKER_WAIT_MS, beside);
      return listed ?? await listSessionDir(ctx.fs, dir);
    };
    const listed = await options.list(listing);
    // `expected` may be far off (the catalog's count after many removals): the listing decides.
    const wanted = workersFor(ctx, listed.names.length, read, !!onPart);
    if (wanted === 0) {
      for (const worker of crew) worker.stop();
      crew = [];
    } else if (crew.length === 0) crew = startWorkers(ctx.threads, wanted);
    const scan = await scanNames(ctx, dir, listed.names, read, crew, {
      beside: () => {
        beside();
        options.meanwhile?.();
      },
      onPart,
    });
    return { listed, scan, beside: beside() };
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
 * while the workers start on the slices) and then takes slices too. Once none is left to
 * claim it waits only for slices a worker claimed, and not for ever (`WORKER_WAIT_MS`).
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
  const here = (part: readonly string[]) => scanSessionFiles(ctx.fs, dir, part, read);
  const done = (scan: SessionScan) => {
    if (failure) throw failure.error;
    return scan;
  };
  const working = crew.filter((worker) => worker.alive);
  if (working.length === 0 || names.length === 0) {
    hooks.beside?.();
    const scan = await here(names);
    onPart?.(scan);
    return done(scan);
  }
  const slice = Math.min(SLICE[read ? "read" : "look"], Math.ceil(names.length / 4));
  const count = Math.ceil(names.length / slice);
  const claims = new Int32Array(new SharedArrayBuffer(4));
  const parts = new Array<SessionScan | undefined>(count);
  // Each slice is taken once, whoever sends it first (a worker's late answer is dropped).
  let wake = () => {};
  const take = (at: number, scan: SessionScan) => {
    if (parts[at] === undefined) {
      parts[at] = scan;
      onPart?.(scan);
    }
    wake();
  };
  let pending = working.length;
  for (const worker of working) {
    worker.scan({ dir, names, claims, slice, read }, take).then(() => {
      pending--;
      wake();
    });
  }
  hooks.beside?.();
  const sliceOf = (at: number) => names.slice(at * slice, (at + 1) * slice);
  const next = () => Atomics.add(claims, 0, 1);
  if (!ctx.scanTuning?.threadsOnly) {
    for (let at = next(); at < count; at = next()) take(at, await here(sliceOf(at)));
  }
  // The counter is spent: only slices a worker claimed and has not sent are missing. Wait
  // for them while the workers keep answering, but not for a worker that is stuck.
  const wait = ctx.scanTuning?.workerWaitMs ?? WORKER_WAIT_MS;
  const missing = () => parts.includes(undefined);
  while (pending > 0 && missing()) {
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), wait);
      wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    wake = () => {};
    if (!answered) break;
  }
  for (const worker of working) worker.stop();
  // Slices a worker failed, died on or held too long: here, where a failure is reported as
  // usual.
  for (let at = 0; at < count; at++) {
    if (parts[at] === undefined) take(at, await here(sliceOf(at)));
  }
  return done(joinScans(parts as SessionScan[]));
}

/** One worker thread of a scan. */
interface ScanWorker {
  /** Whether it started and has not failed. */
  readonly alive: boolean;
  /**
   * Scans slices, giving each to `take`, until none is left or it fails; never rejects (and
   * never settles if the worker never answers).
   */
  scan(request: ScanRequest, take: (at: number, scan: SessionScan) => void): Promise<void>;
  /**
   * Lists `dir` there while this thread runs `meanwhile`; `undefined` if the worker failed or
   * did not answer within `waitMs` after `meanwhile` (it is then not used again).
   */
  list(dir: string, waitMs: number, meanwhile: () => void): Promise<SessionDirListing | undefined>;
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
  let onReply: ((reply: ScanReply | ListReply | undefined) => void) | undefined;
  const fail = () => {
    alive = false;
    onReply?.(undefined);
  };
  worker.onmessage = (event: MessageEvent<ScanReply | ListReply>) => onReply?.(event.data);
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
    scan(request, take) {
      if (!alive) return Promise.resolve();
      return new Promise((resolve) => {
        onReply = (reply) => {
          if (reply && "scan" in reply) {
            take(reply.at, reply.scan);
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
    async list(dir, waitMs, meanwhile) {
      if (!alive) {
        meanwhile();
        return undefined;
      }
      let answer: (listed: SessionDirListing | undefined) => void = () => {};
      const reply = new Promise<SessionDirListing | undefined>((resolve) => answer = resolve);
      onReply = (message) => {
        onReply = undefined;
        if (message && "listed" in message) return answer(message.listed);
        alive = false;
        answer(undefined);
      };
      worker.postMessage({ list: dir } satisfies ListRequest);
      meanwhile();
      const timer = setTimeout(() => {
        alive = false;
        onReply = undefined;
        answer(undefined);
      }, waitMs);
      try {
        return await reply;
      } finally {
        clearTimeout(timer);
      }
    },
    stop: () => worker.terminate(),
  };
}
