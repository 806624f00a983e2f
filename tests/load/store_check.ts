/**
 * What the load tests check after the fact, straight on the files (not through clinvk): every
 * `sessions/*.json` is a whole, valid record, and no crashed writer's temp file is left.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TEMP_PREFIX } from "../../src/sessions/atomic_write.ts";
import type { SessionRecord } from "../../src/sessions/record.ts";
import { validateRecord } from "../../src/sessions/validate_record.ts";

/** The store as found on disk. */
export interface StoreSnapshot {
  /** Every session, by id, parsed and validated. */
  records: Map<string, SessionRecord>;
  /** Names of leftover `.tmp-*` files in `sessions/`. */
  temps: string[];
}

/**
 * Reads every `*.json` in `dir` and fails the test, naming the file, when one is empty, cut
 * short, not JSON or not a valid session record.
 */
export async function snapshotStore(dir: string): Promise<StoreSnapshot> {
  const records = new Map<string, SessionRecord>();
  const temps: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(TEMP_PREFIX)) temps.push(entry.name);
    if (entry.name.startsWith(".") || !entry.name.endsWith(".json")) continue;
    const stem = entry.name.slice(0, -".json".length);
    const text = await Deno.readTextFile(join(dir, entry.name));
    assert.notEqual(text.trim(), "", `${entry.name} is empty`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      assert.fail(`${entry.name} is not whole JSON (${error}):\n${text.slice(-200)}`);
    }
    const checked = validateRecord(raw, stem);
    assert.ok(checked.ok, `${entry.name} is not a valid record: ${!checked.ok && checked.reason}`);
    records.set(stem, checked.record);
  }
  return { records, temps: temps.sort() };
}

/** Ids of a `sessions list --json` output, sorted. */
export function listedIds(stdout: string): string[] {
  return (JSON.parse(stdout) as { id: string }[]).map((item) => item.id).sort();
}
