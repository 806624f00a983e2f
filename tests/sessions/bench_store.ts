/**
 * Manual benchmark of the session store at scale (not run by `deno test`): fills a home with
 * `count` hand-written session files on first use, then times the queries that must not grow
 * with the store. Compare `count` 10 with 100000.
 *
 * Usage: deno run --allow-read --allow-write tests/sessions/bench_store.ts <home> <count>
 * @module
 */
import { join } from "node:path";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import { createFileStore } from "../../src/sessions/file_store.ts";
import { generateId } from "../../src/sessions/ids.ts";
import { formatTimestamp } from "../../src/sessions/time.ts";
import { recordJson } from "./helpers.ts";

const [home, countArg] = Deno.args;
if (!home || !countArg) throw new Error("Usage: bench_store.ts <home> <count>");
const count = Number(countArg);
const dir = join(home, "sessions");
const platform = denoPlatform();
const open = () =>
  createFileStore({
    home,
    fs: platform.fs,
    clock: platform.clock,
    pid: platform.pid,
    sleep: platform.sleep,
    warn: () => {},
  });

const ids: string[] = [];
try {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".json")) ids.push(entry.name.slice(0, -".json".length));
  }
} catch {
  Deno.mkdirSync(dir, { recursive: true });
  const start = Date.parse("2024-01-01T00:00:00Z");
  for (let i = 0; i < count; i++) {
    const id = generateId();
    const at = formatTimestamp(new Date(start + i * 60_000));
    const record = recordJson(id, {
      backend: (["claude", "codex", "gemini"] as const)[i % 3]!,
      backend_session_id: i % 5 ? `s${i}` : null,
      created_at: at,
      last_used_at: at,
      workdir: `/w/${i % 50}`,
      tags: ["a", `t${i % 7}`],
    });
    Deno.writeTextFileSync(join(dir, `${id}.json`), JSON.stringify(record, null, 2) + "\n");
    ids.push(id);
  }
}

async function time(label: string, run: () => Promise<unknown>) {
  const started = performance.now();
  await run();
  console.log(`${label.padEnd(32)} ${(performance.now() - started).toFixed(1)} ms`);
}

const some = ids[Math.floor(ids.length / 2)]!;
let created = "";
await time("first query (may build index)", () => open().list({ limit: 1 }));
await time("list --limit 10", () => open().list({ limit: 10 }));
await time("resume --last (-c)", () => open().list({ resumable: true, limit: 1 }));
await time(
  "resume --last --here",
  () => open().list({ resumable: true, limit: 1, workdir: "/w/7" }),
);
await time("resolve exact id", () => open().resolve(some));
await time("resolve 7-char prefix", () => open().resolve(some.slice(0, 7)));
await time("create", async () => {
  const store = open();
  created =
    (await store.create({ backend: "claude", model: null, workdir: "/x", prompt: "b", tags: [] }))
      .id;
});
await time("update", () => open().update(created, (r) => ({ ...r, tags: ["z"] })));
await time("delete", () => open().delete(created));
await time("list (all, full records)", () => open().list());
