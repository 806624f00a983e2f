/**
 * One writer per session: `sessions/.leases/<id>` held with an exclusive advisory lock for the
 * length of a turn, so two clinvk processes never drive the same backend session at once. The
 * file records who holds it, for the "in use by" message; it is kept after release (it is the
 * lock's anchor) and removed only with the session. Advisory locks die with their process, so
 * a crash never leaves a stale lease.
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

const encoder = new TextEncoder();

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

function lease(id: string, file: Deno.FsFile): SessionLease {
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    try {
      await file.unlock();
    } finally {
      file.close();
    }
  };
  return { sessionId: id, release, [Symbol.asyncDispose]: release };
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
      const holder: LeaseHolder = {
        pid: ctx.pid,
        started_at: formatTimestamp(ctx.clock.now()),
        ...(options.command ? { command: options.command } : {}),
      };
      await file.truncate(0);
      await file.write(encoder.encode(JSON.stringify(holder) + "\n"));
      return lease(id, file);
    }
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
  if (await file.tryLock(true)) return { inUse: false, lease: lease(id, file) };
  file.close();
  return { inUse: true };
}
