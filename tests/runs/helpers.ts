/**
 * Helpers of the run tests: writing run files, reading run records, matching fake-backend
 * calls to tasks, and checking that processes are gone.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type FakeCall, readFakeLog, readFakeTimes } from "../fixtures/fake_backends.ts";
import type { Sandbox } from "../support/clinvk.ts";
import type { RunRecord } from "../../src/runs/run_record.ts";

/** Writes a run file into the sandbox and returns its path. */
export async function writeRunFile(sb: Sandbox, name: string, text: string): Promise<string> {
  const path = join(sb.dir, name);
  await Deno.writeTextFile(path, text);
  return path;
}

/** Writes `$CLINVK_HOME/config.yaml`. */
export async function writeConfig(sb: Sandbox, yaml: string): Promise<void> {
  await Deno.mkdir(sb.home, { recursive: true });
  await Deno.writeTextFile(join(sb.home, "config.yaml"), yaml);
}

/** Every run record in the sandbox. */
export async function readRuns(sb: Sandbox): Promise<RunRecord[]> {
  const dir = join(sb.home, "runs");
  const records: RunRecord[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".json")) {
        records.push(JSON.parse(await Deno.readTextFile(join(dir, entry.name))));
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return records;
}

/** The one run record of the sandbox. */
export async function onlyRun(sb: Sandbox): Promise<RunRecord> {
  const records = await readRuns(sb);
  assert.equal(records.length, 1, `expected one run, found ${records.length}`);
  return records[0]!;
}

/** The prompt a fake call received: Claude's and Gemini's `-p` value, else the last argument. */
export function callPrompt(call: FakeCall): string {
  const flag = call.argv.indexOf("-p");
  return flag >= 0 ? call.argv[flag + 1]! : call.argv.at(-1)!;
}

/** Calls whose prompt starts with `marker` (a later task's prompt may quote an earlier answer). */
export async function callsWith(sb: Sandbox, marker: string): Promise<FakeCall[]> {
  return (await readFakeLog(sb.log)).filter((call) => callPrompt(call).startsWith(marker));
}

/** `[start, end]` (epoch ms) of the finished call whose prompt starts with `marker`. */
export async function callTimes(sb: Sandbox, marker: string): Promise<[number, number][]> {
  const calls = await callsWith(sb, marker);
  const times = await readFakeTimes(sb.env.FAKE_BACKEND_TIMES);
  return calls.map((call) => {
    const entry = times.find((t) => t.pid === call.pid);
    assert.ok(entry, `no times logged for the call with ${marker}`);
    return [entry.start, entry.end];
  });
}

/** `[start, end]` of the one finished call whose prompt starts with `marker`. */
export async function callTime(sb: Sandbox, marker: string): Promise<[number, number]> {
  const all = await callTimes(sb, marker);
  assert.equal(all.length, 1, `expected one call with ${marker}, got ${all.length}`);
  return all[0]!;
}

/**
 * Whether process `pid` still exists (Linux). Deno reads `/proc` only with `--allow-all`, so
 * `cat` reads it; a zombie has exited (only its parent's bookkeeping is left) and counts as gone.
 */
export async function processAlive(pid: number): Promise<boolean> {
  const out = await new Deno.Command("cat", {
    args: [`/proc/${pid}/stat`],
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!out.success) return false;
  const stat = new TextDecoder().decode(out.stdout);
  return stat.split(") ")[1]?.[0] !== "Z";
}

/** Waits until `check` holds, polling; fails after `ms`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Parses `-o stream-json` output. */
export function events(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}
