/**
 * The bundle (`deno task bundle`, scripts/bundle.ts) is clinvk: built for real, it runs with
 * the documented permissions and without clinvk's `deno.json`, and every part it loads by a
 * computed name — the command tree, the YAML parser, the server, runs, the NATS client, the
 * scan worker — loads and answers as the sources do.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import OpenAI from "openai";
import { buildBundle, BUNDLE_ENTRIES } from "../../scripts/bundle.ts";
import { generateId } from "../../src/sessions/ids.ts";
import { withCluster } from "../dispatch/harness.ts";
import { startServeProcess } from "../server/serve_process.ts";
import { recordJson } from "../sessions/helpers.ts";
import { type Sandbox, withSandbox } from "../support/clinvk.ts";

/** Runs `args` from the sources and from the bundle; both must exit 0. */
async function both(sb: Sandbox, entry: string, args: string[]) {
  const source = await sb.run(args);
  const bundled = await sb.run(args, { entry });
  assert.equal(source.code, 0, source.stderr);
  assert.equal(bundled.code, 0, bundled.stderr);
  return { source: source.stdout, bundled: bundled.stdout, stderr: bundled.stderr };
}

Deno.test("the bundle runs every part of clinvk as the sources do", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "clinvk-bundle-" });
  const entry = join(dir, "main.js");
  try {
    await buildBundle(dir);

    await t.step("each module loaded by name is a file of the bundle", async () => {
      for (const path of BUNDLE_ENTRIES) {
        const file = join(dir, `${path.slice("src/".length, -".ts".length)}.js`);
        assert.ok((await Deno.stat(file)).isFile, `${path} → ${file}`);
      }
    });

    await t.step("no file loads Node's compatibility layer for its require shim", async () => {
      const files: string[] = [];
      const walk = async (at: string): Promise<void> => {
        for await (const entry of Deno.readDir(at)) {
          const path = join(at, entry.name);
          if (entry.isDirectory) await walk(path);
          else files.push(path);
        }
      };
      await walk(dir);
      assert.ok(files.length > BUNDLE_ENTRIES.length, "the bundle has its entries and chunks");
      for (const file of files) {
        assert.doesNotMatch(await Deno.readTextFile(file), /from ?"node:module"/, file);
      }
    });

    await t.step("version and help print what the sources print", async () => {
      await withSandbox(async (sb) => {
        for (const args of [["version"], ["--help"], ["sessions", "list", "--help"]]) {
          const { source, bundled } = await both(sb, entry, args);
          assert.equal(bundled, source, args.join(" "));
        }
      });
    });

    await t.step("a prompt, -c and the listing", async () => {
      await withSandbox(async (sb) => {
        const source = await sb.run(["-b", "claude", "explain the parser"]);
        const first = await sb.run(["-b", "claude", "explain the parser"], { entry });
        assert.equal(first.code, 0, first.stderr);
        assert.equal(first.stdout, source.stdout);
        const again = await sb.run(["-c", "and the tests"], { entry });
        assert.equal(again.code, 0, again.stderr);
        const { source: listed, bundled } = await both(sb, entry, ["sessions", "list", "--json"]);
        assert.equal(bundled, listed);
        const sessions = JSON.parse(bundled) as { turn_count: number }[];
        assert.deepEqual(sessions.map((s) => s.turn_count).sort(), [1, 2]);
      });
    });

    await t.step("config.yaml is parsed, and a bad one reported, by the YAML part", async () => {
      await withSandbox(async (sb) => {
        await Deno.mkdir(sb.home, { recursive: true });
        const config = join(sb.home, "config.yaml");
        await Deno.writeTextFile(config, "default_backend: codex\n");
        const { bundled } = await both(sb, entry, ["config", "show"]);
        assert.match(bundled, /^default_backend: codex$/m);
        await Deno.writeTextFile(config, "default_backend: [codex\n");
        const source = await sb.run(["config", "validate"]);
        const broken = await sb.run(["config", "validate"], { entry });
        assert.notEqual(broken.code, 0);
        assert.deepEqual([broken.code, broken.stderr], [source.code, source.stderr]);
      });
    });

    await t.step("clinvk serve answers the OpenAI SDK", async () => {
      await withSandbox(async (sb) => {
        const expected = await sb.run(["--ephemeral", "-b", "claude", "hello"]);
        const server = await startServeProcess(sb, [], { entry });
        const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "x", maxRetries: 0 });
        const chat = await openai.chat.completions.create({
          model: "claude",
          messages: [{ role: "user", content: "hello" }],
        });
        assert.equal(chat.choices[0]?.message.content, expected.stdout.trimEnd());
        server.child.kill("SIGINT");
        assert.equal(await server.exited, 0, server.stderr());
      });
    });

    await t.step("clinvk parallel runs its tasks", async () => {
      await withSandbox(async (sb) => {
        const tasks = {
          tasks: [{ backend: "claude", prompt: "one" }, { backend: "codex", prompt: "two" }],
        };
        const result = await sb.run(["parallel", "--json"], {
          entry,
          stdin: JSON.stringify(tasks),
        });
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(
          [JSON.parse(result.stdout).total_tasks, JSON.parse(result.stdout).completed],
          [2, 2],
        );
      });
    });

    await t.step("clinvk worker list talks to NATS", async () => {
      await withCluster(async ({ sb, nats }) => {
        const listed = await sb.run(["worker", "list", "--nats", nats.url, "--json"], { entry });
        assert.equal(listed.code, 0, listed.stderr);
        assert.deepEqual(JSON.parse(listed.stdout), []);
      });
    });

    await t.step("a rebuild on worker threads lists what the sources list", async () => {
      await withSandbox(async (sb) => {
        const sessions = join(sb.home, "sessions");
        await Deno.mkdir(sessions, { recursive: true });
        // 5,000 files: the size from which a rebuild reads them on threads.
        for (let i = 0; i < 5_000; i++) {
          const id = generateId();
          const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
          const record = recordJson(id, { last_used_at: at.replace(/\.\d+Z$/, "Z") });
          await Deno.writeTextFile(join(sessions, `${id}.json`), JSON.stringify(record));
        }
        const list = ["sessions", "list", "--json"];
        const bundled = await sb.run(list, { entry }); // Builds the catalog.
        assert.equal(bundled.code, 0, bundled.stderr);
        for (const name of [".catalog.db", ".catalog.db-wal", ".catalog.db-shm"]) {
          await Deno.remove(join(sessions, name)).catch(() => {});
        }
        const source = await sb.run(list);
        assert.equal(bundled.stdout, source.stdout);
        assert.equal((JSON.parse(bundled.stdout) as unknown[]).length, 5_000);
      });
    });

    await t.step("the bundled scan worker loads and answers", async () => {
      const worker = new Worker(new URL(`file://${dir}/sessions/session_scan_worker.js`), {
        type: "module",
      });
      try {
        const reply = await new Promise((resolve, reject) => {
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => {
            event.preventDefault();
            reject(new Error(event.message));
          };
          const claims = new Int32Array(new SharedArrayBuffer(4));
          worker.postMessage({ dir, names: [], claims, slice: 1 });
        });
        assert.deepEqual(reply, { done: true });
      } finally {
        worker.terminate();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
