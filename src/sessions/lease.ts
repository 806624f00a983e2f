/**
 * One writer per session: `sessions/.leases/<id>` held with an exclusive advisory lock for the
 * length of a turn, so two clinvk processes never drive the same backend session at once. The
 * file records who holds it, for the "in use by" message; it is kept after release (it is the
 * lock's anchor) and removed only with the session. Advisory locks die with their process, so
 * a crash never leaves a stale lease.
 *
 * A crash can leave the turn's backend running, though: its process group does not die with
 * clinvk. So while the backend runs the file also records its group (`recordBackend`), and
 * whoever takes the lease next stops that group first if it is still there (`left_behind.ts`).
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import { formatSeconds, retryWithBackoff } from "./backoff.ts";
import { isNotFound } from "../platform/fs_errors.ts";
import { sessionNotFound } from "./session_errors.ts";
import type { StoreContext } from "./store_context.ts";
import { refuseLink } from "./store_layout.ts";
import { ensureStoreDirs, leasePath, sessionPath } from "./store_paths.ts";
import type { LeaseHolder, SessionLease } from "./store_types.ts";
import { formatTimestamp } from "./time.ts";
import { backendGroup, findLeftBehind, stopLeftBehind } from "../runner/left_behind.ts";

const encoder = new TextEncoder();
/** `Deno.SeekMode.Start`, without touching `Deno` at run time. */
const SEEK_START: Deno.SeekMode = 0;

/** Reads who holds a lease; `undefined` when the file is empty or unreadable. */
export async function readLeaseHolder(
  ctx: StoreContext,
  id: string,
): Promise<LeaseHolder | undefined> {
  try {
    const raw = JSON.parse(await ctx.fs.readTextFile(leasePath(ctx.paths, id)));
    return typeof raw?.pid === "number" ? raw : undefined;
  } catch {
    return undefined;
  }
}

/** "process 123 (clinvk resume, since 2025-01-27T10:00:00Z)" or "another process". */
export function describeHolder(holder: LeaseHolder | undefined): string {
  if (!holder) return "another process";
  const details = [holder.command, holder.started_at && `since ${holder.started_at}`]
    .filter(Boolean).join(", ");
  return `process ${holder.pid}${details ? ` (${details})` : ""}`;
}

/** Replaces the file's content with `holder`. */
async function writeHolder(file: Deno.FsFile, holder: LeaseHolder): Promise<void> {
  await file.truncate(0);
  await file.seek(0, SEEK_START);
  await file.write(encoder.encode(JSON.stringify(holder) + "\n"));
}

/** The lease held through `file`; `holder` (as written) is what lets it record a backend. */
function lease(
  ctx: StoreContext,
  id: string,
  file: Deno.FsFile,
  holder?: LeaseHolder,
): SessionLease {
  let released = false;
  let recorded = false;
  // A release waits for a record being written, never for `ps`: once released, nothing is
  // written any more, so a release never leaves a record behind.
  let writing = Promise.resolve();
  const recordBackend = (pid: number, marker: string) => {
    const processes = ctx.processes;
    if (released || !processes || !holder) return;
    backendGroup(processes, pid, marker).then((backend) => {
      if (!backend || released) return;
      writing = writeHolder(file, { ...holder, backend }).then(() => {
        recorded = true;
      });
    }).catch(() => {
      // Best effort: without the record, only a crash mid-turn would leave the backend running.
    });
  };
  const release = async () => {
    if (released) return;
    released = true;
    try {
      await writing.catch(() => {});
      // The backend's group has ended with the turn (`runProcess`); its pgid may go to anyone.
      if (recorded && holder) await writeHolder(file, holder).catch(() => {});
      await file.unlock();
    } finally {
      file.close();
    }
  };
  return { sessionId: id, recordBackend, release, [Symbol.asyncDispose]: release };
}

/**
 * Stops the backend that the previous holder, now dead, left running (its advisory lock went
 * with it, its record did not), and says so in one line. Nothing happens while it is held.
 */
async function stopPreviousBackend(ctx: StoreContext, id: string): Promise<void> {
  const previous = await readLeaseHolder(ctx, id);
  const group = previous?.backend;
  if (!ctx.processes || !group) return;
  const found = await stopLeftBehind(ctx.processes, group, ctx.sleep);
  const holder = describeHolder(previous);
  if (found.kind === "stopped") {
    ctx.warn(
      `Stopped the backend of session ${id} (process group ${group.pgid}${
        found.killed ? ", killed after it ignored SIGTERM" : ""
      }) that ${holder} left running when it was killed mid-turn`,
    );
  } else if (found.kind === "survived") {
    ctx.warn(
      `Could not stop the backend of session ${id} (process group ${group.pgid}) that ${holder} ` +
        `left running when it was killed mid-turn: it outlived SIGKILL; stop it with: ` +
        `kill -KILL -- -${group.pgid}`,
    );
  } else if (found.kind === "elsewhere") {
    ctx.warn(
      `Session ${id} was last run by ${holder} on ${group.host}, which ended mid-turn: if its ` +
        `backend still runs there, stop it on ${group.host} with: kill -- -${group.pgid}`,
    );
  }
}

async function openLeaseFile(ctx: StoreContext, id: string): Promise<Deno.FsFile> {
  const path = leasePath(ctx.paths, id);
  const open = async () => {
    // The holder is written into the file: a link planted there must not be followed.
    await refuseLink(ctx.fs, path, "file");
    return await ctx.fs.open(path, { read: true, write: true, create: true, mode: 0o600 });
  };
  try {
    return await open();
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await ensureStoreDirs(ctx.fs, ctx.paths); // `.leases/` went away with a reset directory.
    return await open();
  }
}

/**
 * Takes the lease of session `id` (which must exist). Without `wait` it fails at once with
 * exit 5 naming the holder; with `wait` it polls up to the lock timeout.
 */
export async function acquireLease(
  ctx: StoreContext,
  id: string,
  options: { wait: boolean; command?: string; busyHint?: string },
): Promise<SessionLease> {
  try {
    await ctx.fs.lstat(sessionPath(ctx.paths, id));
  } catch (error) {
    if (isNotFound(error)) throw sessionNotFound(id);
    throw error;
  }
  const file = await openLeaseFile(ctx, id);
  const timeout = options.wait ? ctx.lockTimeoutMs : 0;
  let acquired = false;
  try {
    acquired = await retryWithBackoff(() => file.tryLock(true), timeout, ctx.sleep);
    if (acquired) {
      await stopPreviousBackend(ctx, id);
      const holder: LeaseHolder = {
        pid: ctx.pid,
        started_at: formatTimestamp(ctx.clock.now()),
        ...(options.command ? { command: options.command } : {}),
      };
      await writeHolder(file, holder);
      return lease(ctx, id, file, holder);
    }
  } catch (error) {
    // A failure after the lock was taken (a full disk writing the holder) must not keep it.
    if (acquired) await file.unlock().catch(() => {});
    acquired = false;
    throw error;
  } finally {
    if (!acquired) file.close();
  }
  const holder = describeHolder(await readLeaseHolder(ctx, id));
  if (options.wait) {
    throw new ClinvkError(
      `Timed out after ${formatSeconds(timeout)} waiting for session ${id}, in use by ${holder}`,
      ExitCode.Busy,
      "Try again when it finishes.",
    );
  }
  throw new ClinvkError(
    `Session ${id} is in use by ${holder}`,
    ExitCode.Busy,
    options.busyHint ?? "Wait for it to finish, or pass --wait.",
  );
}

/**
 * Takes the lease of `id` if nobody holds it, without creating a lease file that does not
 * exist (then nobody ever held it). For `delete`/`clean` under the store lock: never waits,
 * so it cannot deadlock with a holder that waits for the store lock.
 */
export async function tryLease(
  ctx: StoreContext,
  id: string,
): Promise<{ inUse: true } | { inUse: false; lease: SessionLease | undefined }> {
  let file: Deno.FsFile;
  try {
    await refuseLink(ctx.fs, leasePath(ctx.paths, id), "file");
    file = await ctx.fs.open(leasePath(ctx.paths, id), { read: true, write: true });
  } catch (error) {
    if (isNotFound(error)) return { inUse: false, lease: undefined };
    throw error;
  }
  if (await file.tryLock(true)) {
    try {
      // The session is about to go: a backend left running in it must not outlive it.
      await stopPreviousBackend(ctx, id);
    } catch (error) {
      await file.unlock().catch(() => {});
      file.close();
      throw error;
    }
    return { inUse: false, lease: lease(ctx, id, file) };
  }
  file.close();
  return { inUse: true };
}

/**
 * For `sessions doctor`: finds the backends that clinvk processes killed mid-turn left running
 * (recorded in a lease nobody holds) and warns about each; with `fix`, stops them as the next
 * turn would. Sessions in use are not looked at. Returns how many were found.
 */
export async function checkLeftBehind(ctx: StoreContext, fix: boolean): Promise<number> {
  const processes = ctx.processes;
  if (!processes) return 0;
  const ids: string[] = [];
  try {
    for await (const entry of ctx.fs.readDir(ctx.paths.leases)) {
      if (entry.isFile) ids.push(entry.name);
    }
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
  let found = 0;
  for (const id of ids) {
    const group = (await readLeaseHolder(ctx, id))?.backend;
    if (!group || await findLeftBehind(processes, group) !== "running") continue;
    if (fix) {
      // Taking the lease stops it, and says so; held by a running turn, it is that turn's.
      const taken = await tryLease(ctx, id);
      if (taken.inUse) continue;
      found++;
      await taken.lease?.release();
      continue;
    }
    const file = await ctx.fs.open(leasePath(ctx.paths, id), { read: true });
    try {
      if (!(await file.tryLock(false))) continue;
      await file.unlock();
    } finally {
      file.close();
    }
    found++;
    ctx.warn(
      `The backend of session ${id} (process group ${group.pgid}) still runs, left by a ` +
        `clinvk killed mid-turn: clinvk sessions doctor --fix stops it (so does its next turn)`,
    );
  }
  return found;
}
