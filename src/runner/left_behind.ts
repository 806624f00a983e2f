/**
 * Backends left behind. A clinvk killed with SIGKILL (`kill -9`, the OOM killer, a CI runner
 * ending the job) cannot stop its backend's process group, which then keeps editing files and
 * spending tokens. While a session turn runs, its lease file records where the backend runs
 * ({@linkcode BackendGroup}); the next clinvk to take the lease stops that group first — if it
 * still exists on this machine and is provably the same one, never a process that was later
 * given the same pid.
 * @module
 */
import type { ProcessTable } from "../platform/types.ts";
import { KILL_GRACE_MS } from "./run_process.ts";

/**
 * The variable a session turn's backend is started with, set to a value drawn for the turn:
 * it tells the group's processes from strangers once the group's leader has ended.
 */
export const TURN_MARKER_VAR = "CLINVK_TURN";

/** Where a turn's backend runs, as the session's lease file records it during the turn. */
export interface BackendGroup {
  /** The machine it runs on (`uname -n`): pids mean nothing on another. */
  host: string;
  /** The process group, led by the backend process clinvk started. */
  pgid: number;
  /**
   * When that leader started (`ps`'s `lstart`, UTC): a process given the same pid later, on
   * this boot or the next, or one of another container of the same name, started at another
   * time.
   */
  start: string;
  /** The value of {@linkcode TURN_MARKER_VAR} the backend was started with. */
  marker: string;
}

/** What {@linkcode stopLeftBehind} found. */
export type LeftBehind =
  /** Nothing of the group runs (or what has its pgid now is another process). */
  | { kind: "none" }
  /** The group was on another machine: it cannot be reached from here. */
  | { kind: "elsewhere" }
  /** The group was stopped; `killed`: with SIGKILL, once the grace period had passed. */
  | { kind: "stopped"; killed: boolean }
  /**
   * Some of it still ran after SIGKILL and the grace period again: signals refused, or a
   * process stuck in the kernel.
   */
  | { kind: "survived" };

/**
 * Describes the group of the backend just started as `pid` (its own group, see `spawn`);
 * `undefined` where processes cannot be told apart (no process table, or it already ended).
 */
export async function backendGroup(
  processes: ProcessTable,
  pid: number,
  marker: string,
): Promise<BackendGroup | undefined> {
  // Nobody waits for this: a backend that ends at once must not wait for `ps` to end too.
  const [host, info] = await Promise.all([
    processes.host({ unref: true }),
    processes.info(pid, { unref: true }),
  ]);
  if (!host || !info || info.pgid !== pid) return undefined;
  return { host, pgid: pid, start: info.start, marker };
}

const POLL_MS = 50;

/**
 * Whether the recorded group still runs here: its leader, with the recorded start time; or,
 * once the leader has ended (a backend that died of SIGPIPE when clinvk's end of its output
 * closed, leaving the tools it started), a member started with the turn's marker. A group id
 * stays taken while any member lives, so such a member proves the group is the recorded one.
 */
async function isRecordedGroup(processes: ProcessTable, group: BackendGroup): Promise<boolean> {
  const leader = await processes.info(group.pgid);
  // The same start and still the leader of its group: a process given the pid later, even in
  // the same second, is either another start or (started by someone else) in another group.
  if (leader) return leader.start === group.start && leader.pgid === group.pgid;
  const entry = `${TURN_MARKER_VAR}=${group.marker}`;
  for (const pid of await processes.groupMembers(group.pgid)) {
    if (await processes.startedWithEnv(pid, entry)) return true;
  }
  return false;
}

/**
 * Whether the recorded group still runs here (`running`), cannot be looked for because it was
 * recorded on another machine (`elsewhere`), or is gone (`none`). Sends no signal.
 */
export async function findLeftBehind(
  processes: ProcessTable,
  group: BackendGroup,
): Promise<"running" | "elsewhere" | "none"> {
  const host = await processes.host();
  if (!host) return "none";
  if (host !== group.host) return "elsewhere";
  return await isRecordedGroup(processes, group) ? "running" : "none";
}

/** Polls until no process of the group runs; `false` when some still does after `ms`. */
async function ended(
  processes: ProcessTable,
  pgid: number,
  sleep: (ms: number) => Promise<void>,
  ms: number,
): Promise<boolean> {
  for (let waited = 0;; waited += POLL_MS) {
    if ((await processes.groupMembers(pgid)).length === 0) return true;
    if (waited >= ms) return false;
    await sleep(POLL_MS);
  }
}

/**
 * Stops the recorded group if it still runs here and is the recorded one: SIGTERM, the usual
 * grace period, then SIGKILL — as when a turn is stopped — and waits until it has ended, so
 * that the caller's own turn never overlaps it.
 */
export async function stopLeftBehind(
  processes: ProcessTable,
  group: BackendGroup,
  sleep: (ms: number) => Promise<void>,
  graceMs: number = KILL_GRACE_MS,
): Promise<LeftBehind> {
  const found = await findLeftBehind(processes, group);
  if (found !== "running") return { kind: found };
  processes.signalGroup(group.pgid, "SIGTERM");
  if (await ended(processes, group.pgid, sleep, graceMs)) return { kind: "stopped", killed: false };
  // Checked again before the hard kill: a leader with another start time means the group ended
  // between two polls and its id went to a new process. A leaderless group that was seen
  // throughout kept its id taken.
  const leader = await processes.info(group.pgid);
  if (leader && leader.start !== group.start) return { kind: "stopped", killed: false };
  processes.signalGroup(group.pgid, "SIGKILL");
  if (!(await ended(processes, group.pgid, sleep, graceMs))) return { kind: "survived" };
  return { kind: "stopped", killed: true };
}
