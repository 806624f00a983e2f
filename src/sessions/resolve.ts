/**
 * `resolve`: one session by exact id (one file opened directly) or by unique prefix (an index
 * range of the catalog), git-style.
 * @module
 */
import { readCatalog } from "./catalog_access.ts";
import { idsWithPrefix } from "./catalog_sessions.ts";
import { parseIdInput } from "./ids.ts";
import type { SessionRecord } from "./record.ts";
import { readRecord } from "./session_file.ts";
import type { RecordRead } from "./session_file.ts";
import {
  ambiguousPrefix,
  MAX_CANDIDATES,
  sessionNotFound,
  sessionUnreadable,
} from "./session_errors.ts";
import type { StoreContext } from "./store_context.ts";
import { sessionPath } from "./store_paths.ts";

/**
 * Reads one session file by exact id without the lock: files are only ever replaced by
 * rename, so a reader sees the old or the new file, never a half-written one.
 */
export async function readSession(ctx: StoreContext, id: string): Promise<RecordRead> {
  return await readRecord(ctx.fs, sessionPath(ctx.paths, id), id);
}

/** `get`: a bad file is reported and treated as absent. */
export async function getSession(
  ctx: StoreContext,
  id: string,
): Promise<SessionRecord | undefined> {
  const read = await readSession(ctx, id);
  if (read.kind === "bad") ctx.reportBad(sessionPath(ctx.paths, id), read.reason);
  return read.kind === "ok" ? read.record : undefined;
}

/** What a prefix matched: the records read (at most one past the listed maximum) and how many. */
interface Candidates {
  records: SessionRecord[];
  total: number;
}

/**
 * Finds a session by id or unique prefix; exit 2 for a malformed id, exit 4 otherwise — at
 * once, with the reason, when the id names a file that is not a valid session (a FIFO, a
 * link loop, a torn file).
 */
export async function resolveSession(ctx: StoreContext, input: string): Promise<SessionRecord> {
  const id = parseIdInput(input);
  const exact = await readSession(ctx, id);
  if (exact.kind === "ok") return exact.record;
  if (exact.kind === "bad") throw sessionUnreadable(id, sessionPath(ctx.paths, id), exact.reason);
  const found = await readCatalog<Candidates>(ctx, async (db, lastTry) => {
    // Reading more than one past the listed maximum would not change the message.
    const { ids, total } = idsWithPrefix(db, id, MAX_CANDIDATES + 1);
    const records: SessionRecord[] = [];
    const stale: string[] = [];
    for (const candidate of ids) {
      const read = await readSession(ctx, candidate);
      if (read.kind === "ok") records.push(read.record);
      else stale.push(candidate);
    }
    if (stale.length > 0 && !lastTry) return { retry: "recheck" as const, ids: stale };
    return { records, total: total - stale.length };
  });
  if (found.total === 0) throw sessionNotFound(input.trim());
  if (found.total === 1 && found.records[0]) return found.records[0];
  throw ambiguousPrefix(id, found.records, found.total);
}
