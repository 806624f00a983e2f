/**
 * Worker threads (Web Workers) for work that one thread cannot do fast enough: under
 * `--allow-read`, Deno checks every file call's path on the calling thread, so looking at
 * 100,000 session files is bound by one core unless the calls are spread over several.
 * @module
 */

/** Starting worker threads; the store receives it as a parameter. */
export interface Threads {
  /** How many threads can run at the same time (logical cores). */
  readonly cores: number;
  /**
   * Starts the module worker at `url`. It has this process's permissions (Deno's default
   * for workers), so a permission denied in it is denied here too.
   */
  start(url: URL): Worker;
}

/** The real threads. */
export function denoThreads(): Threads {
  return {
    cores: navigator.hardwareConcurrency ?? 1,
    start: (url) => new Worker(url, { type: "module" }),
  };
}
