/**
 * The {@linkcode Fs} of the `clinvk` command: Deno's synchronous file calls behind the usual
 * promise-returning signatures.
 *
 * Why: every async file call in Deno is a round trip through a thread pool, about 25 µs of the
 * main thread per call on a small VM, against a few µs for the same call made synchronously.
 * The session store makes many small calls — one update is about twenty (lock, index state,
 * read, temp write, fsync, rename, index append), and `sessions list --json` or an index
 * rebuild reads every session file — so at 100,000 sessions async calls alone cost seconds
 * (measured in `docs/performance.md`). A command-line run has nothing else to do while it
 * waits for the disk, so blocking costs nothing there. Library users (`src/lib.ts`) keep
 * Deno's async calls, which do not block their event loop.
 *
 * Directory listings are read in one go. Files opened through it answer `read`, `write`, `seek`,
 * `stat`, `sync`, `truncate` and `tryLock` synchronously too. Errors are the same `Deno.errors`
 * as the async calls throw, delivered as rejected promises.
 * @module
 */
import type { Fs } from "./types.ts";

/** Runs `fn` now and returns its result (or its error) as a settled promise. */
function settled<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** An open file whose async methods do their work synchronously. */
function syncFile(file: Deno.FsFile): Deno.FsFile {
  const now: Record<PropertyKey, unknown> = {
    read: (buffer: Uint8Array) => settled(() => file.readSync(buffer)),
    write: (data: Uint8Array) => settled(() => file.writeSync(data)),
    seek: (offset: number | bigint, whence: Deno.SeekMode) =>
      settled(() => file.seekSync(offset, whence)),
    stat: () => settled(() => file.statSync()),
    sync: () => settled(() => file.syncSync()),
    syncData: () => settled(() => file.syncDataSync()),
    truncate: (length?: number) => settled(() => file.truncateSync(length)),
    tryLock: (exclusive?: boolean) => settled(() => file.tryLockSync(exclusive)),
    unlock: () => settled(() => file.unlockSync()),
  };
  // A proxy rather than a copy: the real file's private state must stay its own, and anything
  // not listed (close, readable, the blocking lock(), …) keeps working as is.
  return new Proxy(file, {
    get(target, key) {
      if (Object.hasOwn(now, key)) return now[key];
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * `Deno.readDirSync(path)` as an async iterable, listed when first iterated (so errors surface
 * where `Deno.readDir`'s do). A plain iterator rather than an async generator: `yield*` in one
 * costs two promise turns per entry, a fifth of a second for 100,000 sessions.
 */
function syncEntries(path: string | URL): AsyncIterable<Deno.DirEntry> {
  return {
    [Symbol.asyncIterator]() {
      let entries: Iterator<Deno.DirEntry> | undefined;
      return {
        next: () => settled(() => (entries ??= Deno.readDirSync(path)[Symbol.iterator]()).next()),
      };
    },
  };
}

/** Builds the synchronous-underneath {@linkcode Fs} (see the module comment for why). */
export function syncFs(): Fs {
  return {
    open: (path, options) => settled(() => syncFile(Deno.openSync(path, options))),
    readFile: (path) => settled(() => Deno.readFileSync(path)),
    readTextFile: (path) => settled(() => Deno.readTextFileSync(path)),
    writeFile: (path, data, options) =>
      data instanceof Uint8Array
        ? settled(() => Deno.writeFileSync(path, data, options))
        : Deno.writeFile(path, data, options),
    writeTextFile: (path, data, options) =>
      typeof data === "string"
        ? settled(() => Deno.writeTextFileSync(path, data, options))
        : Deno.writeTextFile(path, data, options),
    rename: (from, to) => settled(() => Deno.renameSync(from, to)),
    remove: (path, options) => settled(() => Deno.removeSync(path, options)),
    mkdir: (path, options) => settled(() => Deno.mkdirSync(path, options)),
    stat: (path) => settled(() => Deno.statSync(path)),
    lstat: (path) => settled(() => Deno.lstatSync(path)),
    readLink: (path) => settled(() => Deno.readLinkSync(path)),
    readDir: (path) => syncEntries(path),
    realPath: (path) => settled(() => Deno.realPathSync(path)),
    chmod: (path, mode) => settled(() => Deno.chmodSync(path, mode)),
    copyFile: (from, to) => settled(() => Deno.copyFileSync(from, to)),
  };
}
