/**
 * The worker thread of `session_scan_threads.ts`. It may first be asked to list the sessions
 * directory (while the main thread does work of its own). It is given the names to scan and takes
 * slices of them — claiming each from a counter it shares with the other threads, so whoever
 * is free takes the next — scans each ({@linkcode scanSessionFiles}, with the command's
 * synchronous file calls) and sends the results back. A failure is sent back as a message
 * instead: the main thread then does that slice itself, and so reports it exactly as without
 * threads.
 * @module
 */
import { syncFs } from "../platform/sync_fs.ts";
import { listSessionDir, scanSessionFiles } from "./session_scan.ts";
import type { ScanRead, SessionDirListing, SessionScan } from "./session_scan.ts";

/**
 * What the main thread asks: scan slices of `names` (of `dir`) — slice `k` is names
 * `k * slice` to `(k + 1) * slice`, and the next slice to take is `Atomics.add(claims, 0, 1)`,
 * until there is none left.
 */
export interface ScanRequest {
  dir: string;
  names: readonly string[];
  claims: Int32Array<SharedArrayBuffer>;
  slice: number;
  read?: ScanRead;
}

/** What the main thread asks first, when it has work of its own meanwhile: list `dir`. */
export interface ListRequest {
  list: string;
}

/** What the worker answers: each slice's scan (or failure), then `done`. */
export type ScanReply =
  | { at: number; scan: SessionScan }
  | { at: number; error: string }
  | { done: true };

/** What the worker answers to a {@linkcode ListRequest}. */
export type ListReply = { listed: SessionDirListing } | { error: string };

/** The worker's global scope, as far as this module uses it (typed here, not by `lib`). */
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ScanRequest | ListRequest>) => void) | null;
  postMessage(message: ScanReply | ListReply, transfer?: Transferable[]): void;
};

const fs = syncFs();

scope.onmessage = async ({ data }) => {
  if ("list" in data) {
    try {
      scope.postMessage({ listed: await listSessionDir(fs, data.list) });
    } catch (error) {
      scope.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  const { dir, names, claims, slice, read } = data;
  const slices = Math.ceil(names.length / slice);
  for (let at = Atomics.add(claims, 0, 1); at < slices; at = Atomics.add(claims, 0, 1)) {
    try {
      const scan = await scanSessionFiles(fs, dir, names.slice(at * slice, (at + 1) * slice), read);
      scope.postMessage({ at, scan }, [scan.kinds.buffer, scan.stamps.buffer]);
    } catch (error) {
      scope.postMessage({ at, error: error instanceof Error ? error.message : String(error) });
    }
  }
  scope.postMessage({ done: true });
};
