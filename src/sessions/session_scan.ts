/**
 * Looking at many session files of one directory at once — `lstat` (and `stat` of a link's
 * target) of each, and for a rebuild also reading, parsing and validating each and computing
 * its catalog row — with results in a compact form that crosses threads cheaply
 * (`session_scan_threads.ts` runs this on worker threads for large stores, and on this one for
 * small stores; the results are the same either way). Per file it does exactly what
 * `probeFile` and `readRecord` do.
 * @module
 */
import type { Fs } from "../platform/types.ts";
import { TEMP_PREFIX } from "./atomic_write.ts";
import { prepareRow } from "./catalog_row.ts";
import type { PreparedRow } from "./catalog_row.ts";
import { isValidId } from "./ids.ts";
import { probeFile, readRecord } from "./session_file.ts";
import type { FileStamp } from "./session_file.ts";

/** What one file turned out to be (the values of {@linkcode SessionScan.kinds}). */
export const SCANNED = {
  /** A regular file of a sane size, not read. */
  file: 0,
  /** Gone (removed since the directory was listed). */
  missing: 1,
  /** Not a session file: reason in {@linkcode SessionScan.reasons}. */
  bad: 2,
  /** Read and valid: its row in {@linkcode SessionScan.rows}. */
  row: 3,
} as const;

/** What to do beyond looking: read each valid-named file and prepare its row. */
export interface ScanRead {
  /** Whether each row needs its search document (the search tables are built). */
  fts: boolean;
}

/** The results for a list of names, in their order. */
export interface SessionScan {
  /** One of {@linkcode SCANNED} per name. */
  kinds: Uint8Array<ArrayBuffer>;
  /** mtime, size and inode of each name (three numbers per name; zero when missing). */
  stamps: Float64Array<ArrayBuffer>;
  /** The reason of each `bad` name, in the order of the names. */
  reasons: string[];
  /** The row of each `row` name, in the order of the names. */
  rows: PreparedRow[];
}

/** The entries of the sessions directory that matter: session files and temp files. */
export interface SessionDirListing {
  /** `*.json` names (not dot-names). */
  names: string[];
  /** Names of `.tmp-*` files (crashed writers' leftovers, to be swept). */
  temps: string[];
}

/** Lists the sessions directory `dir`. */
export async function listSessionDir(fs: Fs, dir: string): Promise<SessionDirListing> {
  const names: string[] = [];
  const temps: string[] = [];
  for await (const item of fs.readDir(dir)) {
    if (item.name.startsWith(TEMP_PREFIX)) temps.push(item.name);
    else if (!item.name.startsWith(".") && item.name.endsWith(".json")) names.push(item.name);
  }
  return { names, temps };
}

/** The stamp of name number `at` of `scan`. */
export function scannedStamp(scan: SessionScan, at: number): FileStamp {
  const { stamps } = scan;
  return { mtime: stamps[at * 3]!, size: stamps[at * 3 + 1]!, ino: stamps[at * 3 + 2]! };
}

/**
 * Looks at `names` in `dir` (which ends with the path separator); with `read`, also reads
 * those named like a session (`<id>.json`). A file named otherwise is only looked at: it is a
 * bad file whatever it holds.
 */
export async function scanSessionFiles(
  fs: Fs,
  dir: string,
  names: readonly string[],
  read?: ScanRead,
): Promise<SessionScan> {
  const kinds = new Uint8Array(names.length);
  const stamps = new Float64Array(names.length * 3);
  const reasons: string[] = [];
  const rows: PreparedRow[] = [];
  for (let at = 0; at < names.length; at++) {
    const name = names[at]!;
    const stem = name.slice(0, -".json".length);
    const path = dir + name;
    const probe = await probeFile(fs, path);
    const seen = read && probe.kind === "file" && isValidId(stem)
      ? await readRecord(fs, path, stem, probe)
      : probe;
    if (seen.kind === "missing") {
      kinds[at] = SCANNED.missing;
      continue;
    }
    stamps[at * 3] = seen.stamp.mtime;
    stamps[at * 3 + 1] = seen.stamp.size;
    stamps[at * 3 + 2] = seen.stamp.ino;
    if (seen.kind === "bad") {
      kinds[at] = SCANNED.bad;
      reasons.push(seen.reason);
    } else if (seen.kind === "ok") {
      kinds[at] = SCANNED.row;
      rows.push(prepareRow(seen.record, seen.stamp, read!.fts));
    } else {
      kinds[at] = SCANNED.file;
    }
  }
  return { kinds, stamps, reasons, rows };
}

/** One scan of all the names that `parts` (scans of consecutive slices of them) cover. */
export function joinScans(parts: readonly SessionScan[]): SessionScan {
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((sum, part) => sum + part.kinds.length, 0);
  const joined: SessionScan = {
    kinds: new Uint8Array(count),
    stamps: new Float64Array(count * 3),
    reasons: [],
    rows: [],
  };
  let at = 0;
  for (const part of parts) {
    joined.kinds.set(part.kinds, at);
    joined.stamps.set(part.stamps, at * 3);
    for (const reason of part.reasons) joined.reasons.push(reason);
    for (const row of part.rows) joined.rows.push(row);
    at += part.kinds.length;
  }
  return joined;
}
