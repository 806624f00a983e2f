/**
 * One writer process of `scripts/bench.ts`: opens the store, prints "ready", waits for a line
 * on stdin (so all writers start together), then adds `count` distinct tags
 * `<worker>-<n>` round-robin to the given sessions — one locked `update()` each — and prints
 * "done". The bench then checks that every tag arrived (no lost update).
 *
 * Usage: deno run --allow-read --allow-write scripts/bench_writer.ts <home> <worker> <count> <id,id,…>
 * @module
 */
import { denoPlatform } from "../src/platform/deno_platform.ts";
import { syncFs } from "../src/platform/sync_fs.ts";
import { createFileStore } from "../src/sessions/file_store.ts";

const [home, worker, count, idList] = Deno.args;
if (!home || !worker || !count || !idList) {
  throw new Error("Usage: bench_writer.ts <home> <worker> <count> <id,id,…>");
}
const ids = idList.split(",");
const platform = denoPlatform();
const store = createFileStore({
  home,
  fs: syncFs(), // The file calls of the `clinvk` command (see src/main.ts).
  clock: platform.clock,
  pid: platform.pid,
  sleep: platform.sleep,
  warn: (message) => console.error(message),
  // Sixteen writers queue behind each other; the default 30 s is plenty, this is for slow disks.
  lockTimeoutMs: 120_000,
});
console.log("ready");
const reader = Deno.stdin.readable.getReader();
await reader.read(); // The start signal.
for (let n = 0; n < Number(count); n++) {
  const id = ids[n % ids.length]!;
  const tag = `${worker}-${n}`;
  await store.update(id, (record) => ({ ...record, tags: [...record.tags, tag] }));
}
console.log("done");
await reader.cancel();
