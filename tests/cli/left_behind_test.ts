/**
 * A clinvk killed with SIGKILL mid-turn cannot stop its backend; the next clinvk to take the
 * session's lease does — and never touches a process that merely has the recorded pid now, nor
 * a group recorded on another machine. Real processes throughout: clinvk, a wrapper script
 * that does not exec the fake backend (two processes in one group), and stand-ins for
 * unrelated processes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeBinDir, readFakeLog } from "../fixtures/fake_backends.ts";
import { assertIncludes } from "../support/assert.ts";
import { clinvkEnv, type Sandbox, spawnClinvk, withSandbox } from "../support/clinvk.ts";
import { isRunning, stillRunning } from "../support/processes.ts";
import { psProcessTable } from "../../src/platform/process_table.ts";
import type { BackendGroup } from "../../src/runner/left_behind.ts";

type Json = Record<string, unknown>;
const linux = Deno.build.os === "linux";
const processes = psProcessTable(Deno.build.os);

async function statOf(pid: number) {
  const info = await processes.info(pid);
  if (!info) throw new Error(`process ${pid} does not run`);
  return info;
}

function leaseFile(sb: Sandbox, id: string): string {
  return join(sb.sessionsDir, ".leases", id);
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A session with one completed turn on `claude`, run through `wrapper` from now on. */
async function sessionBehindWrapper(sb: Sandbox, wrapper: string): Promise<string> {
  const first = await sb.json(["-b", "claude", "-o", "json", "first"]);
  // The wrapper, and a tool it leaves running in the group, ignore SIGTERM.
  await Deno.writeTextFile(
    wrapper,
    `#!/bin/sh\ntrap '' TERM\nsleep 300 >/dev/null 2>&1 &\n"${join(fakeBinDir, "claude")}" "$@"\n`,
  );
  await Deno.chmod(wrapper, 0o755);
  await Deno.writeTextFile(
    join(sb.home, "config.yaml"),
    `backends:\n  claude:\n    command: ${wrapper}\n`,
  );
  return String(first.session_id);
}

/** Writes a lease file as a dead holder would have left it, naming `backend`. */
async function leaseLeftBy(sb: Sandbox, id: string, backend: BackendGroup): Promise<void> {
  const holder = {
    pid: 999_999,
    started_at: "2026-01-01T00:00:00Z",
    command: "clinvk (claude)",
    backend,
  };
  await Deno.mkdir(join(sb.sessionsDir, ".leases"), { recursive: true });
  await Deno.writeTextFile(leaseFile(sb, id), JSON.stringify(holder) + "\n");
}

/** A process in a group of its own that has nothing to do with clinvk. */
function stranger(env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command("sleep", {
    args: ["300"],
    detached: true,
    env,
    stdout: "null",
    stderr: "null",
  })
    .spawn();
}

/**
 * Runs `fn` in a sandbox with a session that has had one turn and a process in a group of its
 * own (`stranger`), which is killed and waited for afterwards.
 */
async function withSessionAndStranger(
  fn: (sb: Sandbox, id: string, other: Deno.ChildProcess) => Promise<void>,
): Promise<void> {
  await withSandbox(async (sb) => {
    const first = await sb.json(["-b", "claude", "-o", "json", "first"]);
    const other = stranger();
    try {
      await fn(sb, String(first.session_id), other);
    } finally {
      try {
        other.kill("SIGKILL");
      } catch {
        // Stopped already.
      }
      await other.status;
    }
  });
}

async function thisHost(): Promise<string> {
  const host = await processes.host();
  if (!host) throw new Error("cannot tell this machine");
  return host;
}

Deno.test({
  name: "a backend left running by a clinvk killed with SIGKILL is stopped by the next resume",
  ignore: !linux,
  fn: async () => {
    await withSandbox(async (sb) => {
      const id = await sessionBehindWrapper(sb, join(sb.dir, "claude-wrapper.sh"));
      const killed = spawnClinvk(clinvkEnv(sb, sb.home), ["resume", id, "wait [[fake:hang]]"], {
        cwd: sb.work,
      });
      const seen: { pid: number; start: string }[] = [];
      try {
        const backend = await poll("the backend", async () => (await readFakeLog(sb.log))[1]);
        const group = (await statOf(backend.pid)).pgid;
        const members = await processes.groupMembers(group);
        for (const pid of members) seen.push({ pid, start: (await statOf(pid)).start });
        await poll("the lease to record the backend", async () => {
          // Read while being rewritten, the file may be empty for a moment.
          const text = await Deno.readTextFile(leaseFile(sb, id));
          return text && JSON.parse(text).backend ? true : undefined;
        });
        assert.notEqual(group, backend.pid, "the wrapper leads the group, the fake runs under it");
        assert.equal(members.length, 3, "wrapper, tool and backend");
        killed.kill("SIGKILL");
        await killed.status;
        assert.ok(members.every(isRunning), "SIGKILL left the backend running");

        const resumed = await sb.run(["resume", id, "-o", "json", "again"]);
        assert.equal(resumed.code, 0, resumed.stderr);
        assertIncludes(
          resumed.stderr,
          `Stopped the backend of session ${id} (process group ${group}`,
        );
        assertIncludes(resumed.stderr, "killed after it ignored SIGTERM");
        assert.equal(resumed.stderr.trim().split("\n").length, 1, resumed.stderr);
        for (const pid of members) {
          assert.equal(isRunning(pid), false, `${pid} outlived the takeover`);
        }
        assert.equal(JSON.parse(resumed.stdout).status, "completed");
        assert.equal((await readFakeLog(sb.log)).length, 3, "the resumed turn ran its own backend");
        // The finished turn took its record out: nothing is stopped on the next turn.
        assert.equal(JSON.parse(await Deno.readTextFile(leaseFile(sb, id))).backend, undefined);
        const third = await sb.run(["resume", id, "-o", "json", "once more"]);
        assert.equal(third.code, 0, third.stderr);
        assert.equal(third.stderr, "");
      } finally {
        // Whatever failed above, no process of the test outlives it.
        try {
          killed.kill("SIGKILL");
        } catch {
          // Killed already.
        }
        await killed.output();
        // Only the very processes seen (same pid, same start), never one given the pid since.
        for (const { pid, start } of seen) {
          if ((await processes.info(pid))?.start === start) Deno.kill(pid, "SIGKILL");
        }
      }
    });
  },
});

Deno.test({
  name: "a recorded pid now used by an unrelated process (another start time) is left alone",
  ignore: !linux,
  fn: () =>
    withSessionAndStranger(async (sb, id, other) => {
      const { start } = await statOf(other.pid);
      await leaseLeftBy(sb, id, {
        host: await thisHost(),
        pgid: other.pid,
        // The recorded backend started a year earlier: the pid was given to another since.
        start: start.replace(/\d{4}$/, (year) => String(Number(year) - 1)),
        marker: "m",
      });
      const resumed = await sb.run(["resume", id, "-o", "json", "again"]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(resumed.stderr, "");
      assert.equal(await stillRunning(other.pid), true, "an unrelated process was stopped");
    }),
});

Deno.test({
  name: "a group recorded on another machine is left alone, and the user is told where it ran",
  ignore: !linux,
  fn: () =>
    withSessionAndStranger(async (sb, id, other) => {
      const { start } = await statOf(other.pid);
      await leaseLeftBy(sb, id, { host: "build-7", pgid: other.pid, start, marker: "m" });
      const resumed = await sb.run(["resume", id, "-o", "json", "again"]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assertIncludes(resumed.stderr, `on build-7, which ended mid-turn`);
      assertIncludes(resumed.stderr, `kill -- -${other.pid}`);
      assert.equal(await stillRunning(other.pid), true, "a process of this machine was stopped");
    }),
});

for (const marked of [true, false]) {
  Deno.test({
    name: marked
      ? "a group whose leader has ended is stopped when a member carries the turn's marker"
      : "a leaderless group without the turn's marker is left alone",
    ignore: !linux,
    fn: async () => {
      await withSandbox(async (sb) => {
        const first = await sb.json(["-b", "claude", "-o", "json", "first"]);
        const id = String(first.session_id);
        // The leader exits at once and leaves a tool it started running in its group.
        const leader = new Deno.Command("sh", {
          args: ["-c", "sleep 300 >/dev/null 2>&1 & echo $!"],
          detached: true,
          env: { CLINVK_TURN: "turn-1" },
          stdout: "piped",
          stderr: "null",
        });
        // (`spawn` and not `output`: Deno's `output` ignores `detached`.)
        const { stdout } = await leader.spawn().output();
        const tool = Number(new TextDecoder().decode(stdout).trim());
        try {
          const host = await thisHost();
          const { pgid } = await statOf(tool);
          assert.equal(isRunning(pgid), false, "the leader has ended");
          await leaseLeftBy(sb, id, {
            host,
            pgid,
            start: "Thu Jan  1 00:00:00 1970",
            marker: marked ? "turn-1" : "turn-2",
          });
          const resumed = await sb.run(["resume", id, "-o", "json", "again"]);
          assert.equal(resumed.code, 0, resumed.stderr);
          if (marked) {
            assertIncludes(resumed.stderr, `(process group ${pgid}) that process 999999`);
            assert.equal(isRunning(tool), false, "the tool outlived the takeover");
          } else {
            assert.equal(resumed.stderr, "");
            assert.equal(await stillRunning(tool), true, "a stranger's process was stopped");
          }
        } finally {
          // Not a child of this test (its parent has ended): killed, then waited for.
          try {
            Deno.kill(tool, "SIGKILL");
          } catch {
            // Gone already.
          }
          await poll("the tool to end", () => Promise.resolve(isRunning(tool) ? undefined : true));
        }
      });
    },
  });
}

Deno.test({
  name: "sessions doctor warns about a backend left running, and --fix stops it",
  ignore: !linux,
  fn: () =>
    withSessionAndStranger(async (sb, id, left) => {
      const { start } = await statOf(left.pid);
      await leaseLeftBy(sb, id, { host: await thisHost(), pgid: left.pid, start, marker: "m" });
      const looked = await sb.run(["sessions", "doctor"]);
      assert.equal(looked.code, 0, looked.stderr);
      assertIncludes(
        looked.stderr,
        `The backend of session ${id} (process group ${left.pid}) still runs`,
      );
      assert.equal(await stillRunning(left.pid), true, "doctor without --fix stopped it");
      const fixed = await sb.run(["sessions", "doctor", "--fix"]);
      assert.equal(fixed.code, 0, fixed.stderr);
      assertIncludes(
        fixed.stderr,
        `Stopped the backend of session ${id} (process group ${left.pid})`,
      );
      assert.equal((await left.status).signal, "SIGTERM");
      const again = await sb.run(["sessions", "doctor"]);
      assert.doesNotMatch(again.stderr, /backend/);
    }),
});

Deno.test({
  name: "a ps that never answers does not hang the takeover, nor the turn after it",
  ignore: !linux,
  fn: () =>
    withSessionAndStranger(async (sb, id, other) => {
      const { start } = await statOf(other.pid);
      await leaseLeftBy(sb, id, { host: await thisHost(), pgid: other.pid, start, marker: "m" });
      const bin = join(sb.dir, "hung-ps");
      await Deno.mkdir(bin);
      const pids = join(bin, "pids");
      await Deno.writeTextFile(pids, "");
      await Deno.writeTextFile(
        join(bin, "ps"),
        `#!/bin/sh\necho $$ >> "${pids}"\nexec sleep 300\n`,
      );
      await Deno.chmod(join(bin, "ps"), 0o755);
      const env = { ...clinvkEnv(sb, sb.home), PATH: `${bin}:${sb.env.PATH}` };
      const child = spawnClinvk(env, ["resume", id, "-o", "json", "again"], { cwd: sb.work });
      // Far longer than the takeover's two questions may take (QUERY_TIMEOUT_MS each).
      const deadline = setTimeout(() => child.kill("SIGKILL"), 45_000);
      try {
        const output = await child.output();
        const stderr = new TextDecoder().decode(output.stderr);
        assert.equal(output.signal, null, "clinvk hung on ps");
        assert.equal(output.code, 0, stderr);
        assert.equal(JSON.parse(new TextDecoder().decode(output.stdout)).status, "completed");
        assert.ok((await Deno.readTextFile(pids)).trim() !== "", "clinvk never asked ps");
        // Without an answer nothing is known: the process with the recorded pid is left alone.
        assert.equal(await stillRunning(other.pid), true);
      } finally {
        clearTimeout(deadline);
        for (const pid of (await Deno.readTextFile(pids)).split("\n").filter(Boolean)) {
          if (isRunning(Number(pid))) Deno.kill(Number(pid), "SIGKILL");
        }
      }
    }),
});
