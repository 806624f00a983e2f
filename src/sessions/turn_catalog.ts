/**
 * The turn rows of the catalog, kept in step with the `.turns/<id>.jsonl` journals. Turns are
 * brought up to date lazily, by the commands that read them (history, search, usage,
 * budgets): a journal is only ever appended by clinvk, under the store lock, together with
 * its rows, so the `.turns/` directory's stamp plus a `turns_writing` mark (set before an
 * append, cleared after) tell whether the rows are current — as for sessions
 * (`catalog_sync.ts`). A resync rereads only journals whose stamp changed.
 * @module
 */
import { join } from "node:path";
import type { SqliteDatabase } from "../platform/sqlite.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import { all, getMeta, one, run, setMeta, type SqlValue, transaction } from "./catalog_sql.ts";
import { isValidId } from "./ids.ts";
import { sameStamp } from "./session_file.ts";
import type { FileStamp } from "./session_file.ts";
import type { StoreContext } from "./store_context.ts";
import type { TurnEntry } from "./store_types.ts";
import { timestampMs } from "./time.ts";
import { readJournal } from "./turn_journal.ts";
import { validateTurnEntry } from "./validate_turn.ts";

/** Whether the full-text tables are built (they are filled on first search). */
function ftsReady(db: SqliteDatabase): boolean {
  return getMeta(db, "fts") === "1";
}

/** The body of a turn's full-text document. */
export function turnDocument(entry: Pick<TurnEntry, "prompt" | "answer">): string {
  return `${entry.prompt}\n${entry.answer}`;
}

/** Length of a rollup bucket (every time zone's offset is a multiple of it). */
export const ROLLUP_MS = 15 * 60_000;

/** Adds (`sign` 1) or removes (`sign` -1) the turns selected by `where` from the rollup. */
function rollUp(db: SqliteDatabase, sign: 1 | -1, where: string, ...params: SqlValue[]): void {
  run(
    db,
    `INSERT INTO turn_rollup (bucket, backend, model, turns, input, output, cached, total,
       cost_usd, unknown_cost_turns, last_ms)
     SELECT at_ms / ${ROLLUP_MS}, backend, coalesce(model, ''), ${sign} * count(*),
            ${sign} * sum(input), ${sign} * sum(output), ${sign} * sum(cached),
            ${sign} * sum(total), ${sign} * coalesce(sum(cost_usd), 0),
            ${sign} * sum(cost_usd IS NULL AND total > 0), max(at_ms)
       FROM turns WHERE ${where} GROUP BY 1, 2, 3
     ON CONFLICT (bucket, backend, model) DO UPDATE SET
       turns = turns + excluded.turns, input = input + excluded.input,
       output = output + excluded.output, cached = cached + excluded.cached,
       total = total + excluded.total, cost_usd = cost_usd + excluded.cost_usd,
       unknown_cost_turns = unknown_cost_turns + excluded.unknown_cost_turns,
       last_ms = max(last_ms, excluded.last_ms)`,
    ...params,
  );
  if (sign < 0) run(db, "DELETE FROM turn_rollup WHERE turns <= 0");
}

/** Removes turn `n` of a session (and its search document), if there is one. */
function deleteTurn(db: SqliteDatabase, sessionId: string, n: number): void {
  const rid = one<{ rid: number }>(
    db,
    "SELECT rid FROM turns WHERE session_id = ? AND n = ?",
    sessionId,
    n,
  )?.rid;
  if (rid === undefined) return;
  if (ftsReady(db)) run(db, "DELETE FROM turn_fts WHERE rowid = ?", rid);
  rollUp(db, -1, "rid = ?", rid);
  run(db, "DELETE FROM turns WHERE rid = ?", rid);
}

/**
 * Inserts (or replaces) one turn of a session. Inside a transaction. `fresh`: the session has
 * no turn rows (a journal being reread), so there is nothing to replace.
 */
export function insertTurn(
  db: SqliteDatabase,
  sessionId: string,
  entry: TurnEntry,
  fresh = false,
): void {
  if (!fresh) deleteTurn(db, sessionId, entry.n);
  const atMs = timestampMs(entry.at);
  run(
    db,
    `INSERT INTO turns (session_id, n, at, at_ms, backend, model, prompt, answer, input, output,
       cached, total, cost_usd, price_source, exit_code, duration_seconds, error_class, run_id,
       entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    sessionId,
    entry.n,
    entry.at,
    Number.isFinite(atMs) ? atMs : 0,
    entry.backend,
    entry.model,
    entry.prompt,
    entry.answer,
    entry.usage.input,
    entry.usage.output,
    entry.usage.cached,
    entry.usage.total,
    entry.cost_usd,
    entry.price_source,
    entry.exit_code,
    entry.duration_seconds,
    entry.error_class,
    entry.run_id ?? null,
    JSON.stringify(entry),
  );
  const rid = one<{ rid: number }>(db, "SELECT last_insert_rowid() AS rid")!.rid;
  rollUp(db, 1, "rid = ?", rid);
  if (ftsReady(db)) {
    run(db, "INSERT INTO turn_fts (rowid, body) VALUES (?, ?)", rid, turnDocument(entry));
  }
}

/** Removes every turn of a session and its journal's row. Inside a transaction. */
export function deleteTurnsOf(db: SqliteDatabase, sessionId: string): void {
  if (ftsReady(db)) {
    run(
      db,
      "DELETE FROM turn_fts WHERE rowid IN (SELECT rid FROM turns WHERE session_id = ?)",
      sessionId,
    );
  }
  rollUp(db, -1, "session_id = ?", sessionId);
  run(db, "DELETE FROM turns WHERE session_id = ?", sessionId);
  run(db, "DELETE FROM journals WHERE id = ?", sessionId);
}

/** Records a journal's stamp. Inside a transaction. */
export function setJournalStamp(db: SqliteDatabase, id: string, stamp: FileStamp): void {
  run(
    db,
    `INSERT INTO journals (id, mtime, size, ino) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET mtime = excluded.mtime, size = excluded.size, ino = excluded.ino`,
    id,
    stamp.mtime,
    stamp.size,
    stamp.ino,
  );
}

/** The `.turns/` directory's stamp, or `none` when it does not exist. */
export async function observeTurnsDir(ctx: StoreContext): Promise<string> {
  try {
    const info = await ctx.fs.stat(ctx.paths.turns);
    return `${info.mtime?.getTime() ?? 0}:${info.ino ?? 0}`;
  } catch (error) {
    if (isNotFound(error)) return "none";
    throw error;
  }
}

/** Whether the turn rows match the journals. Any lock. */
export async function turnsCurrent(ctx: StoreContext, db: SqliteDatabase): Promise<boolean> {
  if (getMeta(db, "turns_writing") === "1") return false;
  const stamp = getMeta(db, "turns_stamp");
  return stamp !== undefined && stamp === await observeTurnsDir(ctx);
}

/** Marks the turn rows out of date until the next commit. Exclusive lock, before appending. */
export function markTurnsWriting(db: SqliteDatabase): void {
  setMeta(db, "turns_writing", "1");
}

/** Records a turn just appended to its journal, and clears the mark. Exclusive lock. */
export async function commitTurn(
  ctx: StoreContext,
  db: SqliteDatabase,
  sessionId: string,
  entry: TurnEntry,
  journal: FileStamp,
  wasCurrent: boolean,
): Promise<void> {
  const stamp = await observeTurnsDir(ctx);
  transaction(db, () => {
    insertTurn(db, sessionId, entry);
    setJournalStamp(db, sessionId, journal);
    // Only a catalog that was current before the append is current after it.
    if (wasCurrent) {
      setMeta(db, "turns_stamp", stamp);
      setMeta(db, "turns_writing", "0");
    }
  });
}

/** Brings the turn rows up to date with the journals. Exclusive lock (or a private catalog). */
export async function syncJournals(
  ctx: StoreContext,
  db: SqliteDatabase,
  options: { rereadAll: boolean },
): Promise<void> {
  const stamp = await observeTurnsDir(ctx);
  const names: string[] = [];
  try {
    for await (const item of ctx.fs.readDir(ctx.paths.turns)) {
      if (item.name.endsWith(".jsonl") && isValidId(item.name.slice(0, -".jsonl".length))) {
        names.push(item.name);
      }
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const known = new Map(
    all<FileStamp & { id: string }>(db, "SELECT id, mtime, size, ino FROM journals")
      .map((row) => [row.id, row]),
  );
  const reads: { id: string; entries: TurnEntry[]; stamp: FileStamp }[] = [];
  for (const name of names) {
    const id = name.slice(0, -".jsonl".length);
    const prior = known.get(id);
    known.delete(id);
    const path = join(ctx.paths.turns, name);
    if (prior && !options.rereadAll) {
      try {
        const info = await ctx.fs.lstat(path);
        const now = { mtime: info.mtime?.getTime() ?? 0, size: info.size, ino: info.ino ?? 0 };
        if (sameStamp(prior, now)) continue;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const read = await readJournal(ctx.fs, path, ctx.warn);
    reads.push({ id, entries: read?.entries ?? [], stamp: read?.stamp ?? prior ?? NO_STAMP });
  }
  transaction(db, () => {
    for (const { id, entries, stamp: journal } of reads) {
      deleteTurnsOf(db, id);
      for (const entry of entries) insertTurn(db, id, entry, true);
      setJournalStamp(db, id, journal);
    }
    for (const id of known.keys()) deleteTurnsOf(db, id);
    setMeta(db, "turns_stamp", stamp);
    setMeta(db, "turns_writing", "0");
  });
}

const NO_STAMP: FileStamp = { mtime: -1, size: -1, ino: -1 };

/** The turns of one session, in order. */
export function turnsOf(db: SqliteDatabase, sessionId: string): TurnEntry[] {
  return all<{ entry: string }>(
    db,
    "SELECT entry FROM turns WHERE session_id = ? ORDER BY n",
    sessionId,
  ).flatMap((row) => validateTurnEntry(JSON.parse(row.entry)) ?? []);
}
