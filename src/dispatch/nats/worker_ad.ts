/**
 * How workers advertise themselves: each live worker keeps an entry in the workers bucket —
 * which backends it runs, for which pool, how many tasks at once, how many are running — and
 * renews it every few seconds. Coordinators read the entries to warn about tasks no running
 * worker can take; `clinvk worker --list` prints them.
 * @module
 */
import type { KV } from "@nats-io/kv";
import { VERSION } from "../../version.ts";

/** What a worker says about itself. */
export interface WorkerAd {
  id: string;
  /** Backends it takes tasks of. */
  backends: string[];
  pool: string | null;
  /** The subjects it pulls from. */
  subjects: string[];
  max_parallel: number;
  running: number;
  /** Set once it was asked to stop: it finishes its tasks and takes no new ones. */
  draining: boolean;
  /** Backends it stopped taking because they answered "not logged in". */
  logged_out: string[];
  version: string;
  pid: number;
  started_at: string;
  /** When the entry was last renewed, by the worker's clock. */
  seen_at: string;
}

/** How often a worker renews its entry. */
export const AD_INTERVAL_MS = 5000;
/** An entry older than this is a worker that is gone (killed, or cut off). */
export const AD_STALE_MS = 30_000;

/** The fields a worker fills in; version and renewal time are added here. */
export type WorkerAdFields = Omit<WorkerAd, "version" | "seen_at">;

/** Writes (or renews) `ad`. */
export async function putAd(kv: KV, ad: WorkerAdFields, now: Date): Promise<void> {
  const full: WorkerAd = { ...ad, version: VERSION, seen_at: now.toISOString() };
  await kv.put(ad.id, JSON.stringify(full));
}

/** Removes worker `id`'s entry (it stopped). */
export async function removeAd(kv: KV, id: string): Promise<void> {
  await kv.delete(id);
}

/**
 * Every worker whose entry was renewed within {@linkcode AD_STALE_MS} of `now` (by the entry's
 * time on the server, so the clocks of the machines need not agree).
 */
export async function liveAds(kv: KV, now: Date): Promise<WorkerAd[]> {
  const ads: WorkerAd[] = [];
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  for (const key of keys) {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== "PUT") continue;
    if (now.getTime() - entry.created.getTime() > AD_STALE_MS) continue;
    try {
      ads.push(JSON.parse(entry.string()) as WorkerAd);
    } catch {
      // Not written by clinvk.
    }
  }
  return ads.sort((a, b) => a.id.localeCompare(b.id));
}
