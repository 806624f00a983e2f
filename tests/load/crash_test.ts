/**
 * kill -9 at random moments (issue 4): writers are killed mid-write over and over, and after
 * every kill each session file is its old or its new version — never missing, empty or torn —
 * and the next command works without any repair.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createFileStore } from "../../src/sessions/file_store.ts";
import type { SessionStore } from "../../src/sessions/store_types.ts";
import {
  clinvkEnv,
  repoRoot,
  RUN_PERMISSIONS,
  type Sandbox,
  withSandbox,
} from "../support/clinvk.ts";
import { listedIds, snapshotStore } from "./store_check.ts";
import { join } from "node:path";

/**
 * Kills in all. Counted, not timed: a busy machine makes the test slower, never failing (it
 * failed once in a full run when a time budget ran out before enough kills).
 */
const TARGET_KILLS = 130;
/** Independent stores killed side by side (two cores: two lanes keep both busy). */
const LANES = 2;
/** Every this many kills a lane kills a real `clinvk sessions tag` instead of the script. */
const CLI_EVERY = 8;
/** Every this many kills the next command is a real `clinvk sessions list --json`. */
const CLI_CHECK_EVERY = 10;

const writerTs = fileURLToPath(new URL("./fixtures/crash_writer.ts", import.meta.url));
const randomMs = (max: number) => Math.floor(Math.random() * max);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the writers acknowledged so far in one store. */
interface Acked {
  /** Per base session: tags whose update returned. */
  tags: Map<string, Set<string>>;
  created: Set<string>;
  deleted: Set<string>;
}

/**
 * Starts `args` (a deno run), waits `delayMs` — counted, with `waitForReady`, from the
 * writer's first acknowledged write, so that a slow start on a busy machine cannot make every
 * kill land before any write — kills it, and returns its stdout.
 */
async function killDuring(
  args: string[],
  env: Record<string, string> | undefined,
  waitForReady: boolean,
  delayMs: number,
): Promise<{ stdout: string; killed: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    clearEnv: env !== undefined,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  if (waitForReady) {
    while (!/^(tag|created|deleted) /m.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  }
  await sleep(delayMs);
  try {
    child.kill("SIGKILL");
  } catch {
    // It finished first; the caller sees `killed: false`.
  }
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const status = await child.status;
  return { stdout: text, killed: status.signal === "SIGKILL" };
}

function record(acked: Acked, stdout: string): void {
  let lastCreated: string | undefined;
  for (const line of stdout.split("\n")) {
    const [kind, id, tag] = line.split(" ");
    if (kind === "tag") acked.tags.get(id!)!.add(tag!);
    if (kind === "created") acked.created.add(lastCreated = id!);
    if (kind === "deleted") acked.deleted.add(id!);
  }
  // Killed between creating a scratch session and acknowledging its delete: it may be either.
  if (lastCreated && !acked.deleted.has(lastCreated)) acked.created.delete(lastCreated);
}

/**
 * The checks after a kill: every file whole and valid; every base session present with every
 * acknowledged update, and each update's tags all there or all absent; deleted scratch
 * sessions gone, created ones present, anything else only a scratch session caught mid-way.
 */
async function checkAfterKill(sb: Sandbox, store: SessionStore, acked: Acked, cli: boolean) {
  const { records } = await snapshotStore(sb.sessionsDir);
  for (const [id, tags] of acked.tags) {
    const found = records.get(id);
    assert.ok(found, `base session ${id} is missing`);
    const present = new Set(found.tags);
    for (const tag of tags) assert.ok(present.has(`${tag}-x`), `${id} lost acknowledged ${tag}`);
    const groups = new Set(found.tags.filter((t) => /-[xyz]$/.test(t)).map((t) => t.slice(0, -2)));
    for (const tag of groups) {
      const parts = ["x", "y", "z"].filter((s) => present.has(`${tag}-${s}`));
      assert.equal(parts.length, 3, `${id} holds a torn update: ${tag} has only ${parts}`);
    }
  }
  for (const id of acked.deleted) assert.ok(!records.has(id), `deleted ${id} came back`);
  for (const id of acked.created) {
    if (!acked.deleted.has(id)) assert.ok(records.has(id), `created ${id} is missing`);
  }
  for (const [id, found] of records) {
    if (!acked.tags.has(id)) assert.match(found.prompt, /^scratch /, `unexpected session ${id}`);
  }
  // The next command, with no repair: a full listing agrees with the files, and the killed
  // writer's temp file is swept.
  const ids = [...records.keys()].sort();
  assert.deepEqual((await store.list()).map((r) => r.id).sort(), ids);
  assert.deepEqual((await snapshotStore(sb.sessionsDir)).temps, [], "a temp file was left");
  if (cli) {
    const listed = await sb.run(["sessions", "list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listedIds(listed.stdout), ids);
  }
}

/** How one lane went. */
interface LaneStats {
  kills: number;
  cliKills: number;
  acks: number;
}

/** One store, killed again and again, `target` times; returns its stats. */
async function lane(target: number): Promise<LaneStats> {
  let stats: LaneStats | undefined;
  await withSandbox(async (sb) => {
    const store = createFileStore({
      home: sb.home,
      fs: Deno,
      clock: { now: () => new Date() },
      pid: Deno.pid,
      sleep,
      warn: (message) => assert.fail(`unexpected warning: ${message}`),
    });
    const base: string[] = [];
    for (let n = 0; n < 4; n++) {
      const made = await store.create({
        backend: "claude",
        model: null,
        workdir: sb.work,
        prompt: `base ${n}`,
        tags: [],
      });
      base.push(made.id);
    }
    const acked: Acked = {
      tags: new Map(base.map((id) => [id, new Set()])),
      created: new Set(),
      deleted: new Set(),
    };
    let kills = 0;
    let cliKills = 0;
    let acks = 0;
    // When a real clinvk finishes before its kill, the next one is killed sooner: however fast
    // or slow the machine, kills land while clinvk works.
    let cliDelayMs = 370;
    while (kills < target) {
      if (kills % CLI_EVERY === CLI_EVERY - 1) {
        // A real clinvk: start-up takes most of its life, so aim late enough to hit writes.
        const tag = `cli${kills}`;
        const args = [
          "run",
          "--quiet",
          "--config",
          join(repoRoot, "deno.json"),
          ...RUN_PERMISSIONS,
        ];
        const run = await killDuring(
          [
            ...args,
            join(repoRoot, "src", "main.ts"),
            "sessions",
            "tag",
            base[0]!,
            ...["x", "y", "z"].map((s) => `${tag}-${s}`),
          ],
          clinvkEnv(sb, sb.home),
          false,
          cliDelayMs / 3 + randomMs((cliDelayMs * 2) / 3),
        );
        if (!run.killed) {
          acked.tags.get(base[0]!)!.add(tag); // It finished first: all three must be there.
          cliDelayMs = Math.max(10, cliDelayMs * 0.6);
        }
        cliKills += run.killed ? 1 : 0;
      } else {
        const run = await killDuring(
          [
            "run",
            "--quiet",
            "--no-config",
            "--allow-read",
            "--allow-write",
            writerTs,
            sb.home,
            `k${kills}`,
            base.join(","),
          ],
          undefined,
          true,
          randomMs(30),
        );
        assert.ok(run.killed, `the writer exited by itself:\n${run.stdout}`);
        acks += run.stdout.split("\n").length - 2;
        record(acked, run.stdout);
      }
      kills++;
      await checkAfterKill(sb, store, acked, kills % CLI_CHECK_EVERY === 0);
    }
    stats = { kills, cliKills, acks };
  });
  return stats!;
}

Deno.test("killing writers with SIGKILL at random moments never leaves a session file missing, empty or torn", async () => {
  const lanes = await Promise.all(
    Array.from({ length: LANES }, () => lane(Math.ceil(TARGET_KILLS / LANES))),
  );
  const kills = lanes.reduce((sum, l) => sum + l.kills, 0);
  const acks = lanes.reduce((sum, l) => sum + l.acks, 0);
  assert.ok(kills >= TARGET_KILLS, `only ${kills} kills`);
  assert.ok(acks > kills, `${acks} writes in ${kills} kills: most kills came before any write`);
  const cliKills = lanes.reduce((sum, l) => sum + l.cliKills, 0);
  assert.ok(cliKills > 0, "no clinvk process was killed; all finished first");
});
