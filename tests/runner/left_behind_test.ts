/**
 * How a takeover decides about a recorded backend group, on a scripted process table: which
 * signals it sends, and when it sends none. (`tests/cli/left_behind_test.ts` does it for real.)
 */
import assert from "node:assert/strict";
import { type BackendGroup, stopLeftBehind } from "../../src/runner/left_behind.ts";
import type { ProcessInfo, ProcessTable } from "../../src/platform/types.ts";

const START = "Tue Dec  1 18:16:12 2026";
const RECORD: BackendGroup = { host: "box", pgid: 700, start: START, marker: "m1" };

interface Proc extends ProcessInfo {
  pid: number;
  env?: string[];
  /** Ends on SIGTERM (else only on SIGKILL). */
  polite?: boolean;
  /** Ends on no signal (stuck in the kernel, or signals refused). */
  stuck?: boolean;
}

/** A process table of `procs`; `afterTerm` runs when SIGTERM is sent (to script pid reuse). */
function table(procs: Proc[], options: { host?: string; afterTerm?: () => void } = {}) {
  const signals: string[] = [];
  const processes: ProcessTable = {
    host: () => Promise.resolve(options.host ?? "box"),
    info: (pid) => Promise.resolve(procs.find((p) => p.pid === pid)),
    groupMembers: (pgid) => Promise.resolve(procs.filter((p) => p.pgid === pgid).map((p) => p.pid)),
    startedWithEnv: (pid, entry) =>
      Promise.resolve(procs.find((p) => p.pid === pid)?.env?.includes(entry) ?? false),
    signalGroup(pgid, signal) {
      signals.push(`${signal} -${pgid}`);
      const hit = (p: Proc) => p.pgid === pgid && !p.stuck && (signal === "SIGKILL" || p.polite);
      procs.splice(0, procs.length, ...procs.filter((p) => !hit(p)));
      if (signal === "SIGTERM") options.afterTerm?.();
    },
  };
  return { processes, signals };
}

let slept = 0;
const sleep = () => {
  slept++;
  return Promise.resolve();
};

Deno.test("a group that ends on SIGTERM gets nothing more", async () => {
  const { processes, signals } = table([
    { pid: 700, pgid: 700, start: START, polite: true },
    { pid: 701, pgid: 700, start: START, polite: true },
  ]);
  assert.deepEqual(await stopLeftBehind(processes, RECORD, sleep, 200), {
    kind: "stopped",
    killed: false,
  });
  assert.deepEqual(signals, ["SIGTERM -700"]);
});

Deno.test("a group that ignores SIGTERM is killed once the grace period has passed", async () => {
  const { processes, signals } = table([
    { pid: 700, pgid: 700, start: START },
    { pid: 701, pgid: 700, start: START, polite: true },
  ]);
  slept = 0;
  const found = await stopLeftBehind(processes, RECORD, sleep, 200);
  assert.deepEqual(found, { kind: "stopped", killed: true });
  assert.deepEqual(signals, ["SIGTERM -700", "SIGKILL -700"]);
  assert.equal(slept, 4, "polled through the 200 ms grace period, every 50 ms");
});

Deno.test("no SIGKILL when the group ended and its id went to a new process meanwhile", async () => {
  const procs: Proc[] = [{ pid: 700, pgid: 700, start: START, polite: true }];
  const { processes, signals } = table(procs, {
    afterTerm: () => procs.push({ pid: 700, pgid: 700, start: "Tue Dec  1 18:30:00 2026" }),
  });
  assert.deepEqual(await stopLeftBehind(processes, RECORD, sleep, 200), {
    kind: "stopped",
    killed: false,
  });
  assert.deepEqual(signals, ["SIGTERM -700"]);
});

Deno.test("a live process with the pid but another start time gets no signal", async () => {
  const { processes, signals } = table([{
    pid: 700,
    pgid: 700,
    start: "Wed Dec  2 09:00:00 2026",
  }]);
  assert.deepEqual(await stopLeftBehind(processes, RECORD, sleep), { kind: "none" });
  assert.deepEqual(signals, []);
});

Deno.test("a leaderless group is the recorded one only with the turn's marker", async () => {
  const unmarked = table([{ pid: 702, pgid: 700, start: START, env: ["CLINVK_TURN=m2"] }]);
  assert.deepEqual(await stopLeftBehind(unmarked.processes, RECORD, sleep), { kind: "none" });
  assert.deepEqual(unmarked.signals, []);
  const marked = table([{
    pid: 702,
    pgid: 700,
    start: START,
    env: ["CLINVK_TURN=m1"],
    polite: true,
  }]);
  assert.equal((await stopLeftBehind(marked.processes, RECORD, sleep)).kind, "stopped");
  assert.deepEqual(marked.signals, ["SIGTERM -700"]);
});

Deno.test("another machine's group, or an unknown machine, gets no signal", async () => {
  const elsewhere = table([{ pid: 700, pgid: 700, start: START }], { host: "other" });
  assert.deepEqual(await stopLeftBehind(elsewhere.processes, RECORD, sleep), { kind: "elsewhere" });
  assert.deepEqual(elsewhere.signals, []);
  const unknown = table([{ pid: 700, pgid: 700, start: START }]);
  unknown.processes.host = () => Promise.resolve(undefined);
  assert.deepEqual(await stopLeftBehind(unknown.processes, RECORD, sleep), { kind: "none" });
  assert.deepEqual(unknown.signals, []);
});

Deno.test("a group that outlives SIGKILL is reported as such, not as stopped", async () => {
  const { processes, signals } = table([{ pid: 700, pgid: 700, start: START, stuck: true }]);
  assert.deepEqual(await stopLeftBehind(processes, RECORD, sleep, 200), { kind: "survived" });
  assert.deepEqual(signals, ["SIGTERM -700", "SIGKILL -700"]);
});

Deno.test("a process with the leader's pid and start second but in another group is left alone", async () => {
  const { processes, signals } = table([{ pid: 700, pgid: 950, start: START }]);
  assert.deepEqual(await stopLeftBehind(processes, RECORD, sleep, 200), { kind: "none" });
  assert.deepEqual(signals, []);
});
