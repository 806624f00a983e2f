/**
 * A real `clinvk serve` in this test process: the server of `src/server/` listening on a free
 * loopback port, the real turn engine and session store, and the fake backend CLIs reached
 * through `backends.<name>.command` — so the official SDKs talk HTTP to it and the fakes log
 * exactly what the server passed them.
 * @module
 */
import { join } from "node:path";
import { type Config, defaultConfig } from "../../src/config/schema.ts";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import { createRunStore } from "../../src/runs/mod.ts";
import { createFileStore } from "../../src/sessions/file_store.ts";
import type { SessionStore } from "../../src/sessions/store_types.ts";
import { type RunningServer, startServer } from "../../src/server/start_server.ts";
import {
  fakeBinDir,
  fakeEnv,
  type FakeEnvOptions,
  type FakeSandbox,
  withFakeEnv,
} from "../fixtures/fake_backends.ts";

/** The backends every protocol test runs on. */
export const BACKENDS = ["claude", "codex", "gemini"] as const;

/** A running test server. */
export interface TestServer {
  sb: FakeSandbox;
  server: RunningServer;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  store: SessionStore;
  config: Config;
  /** Every line the server wrote on "stderr" (request log, warnings). */
  logs: string[];
}

/** Options of {@linkcode withServer}. */
export interface ServerOptions {
  /** Changes the config before the server starts. */
  configure?(config: Config, sb: FakeSandbox): void | Promise<void>;
  /** Variables the server sees in its environment (e.g. `CLINVK_API_KEYS`). */
  env?: Record<string, string>;
  fake?: FakeEnvOptions;
  host?: string;
}

/** Runs `fn` against a fresh server in a fresh sandbox; stops and removes both after. */
export async function withServer(
  fn: (t: TestServer) => Promise<void>,
  options: ServerOptions = {},
): Promise<void> {
  await withFakeEnv(async (sb) => {
    const real = denoPlatform();
    const platform = {
      ...real,
      env: { get: (name: string) => options.env?.[name] ?? real.env.get(name) },
    };
    const config = defaultConfig();
    for (const name of BACKENDS) {
      config.backends[name].command = join(fakeBinDir, name);
      config.backends[name].env = fakeEnv(sb.dir, options.fake);
    }
    config.server.shutdown_grace_seconds = 10;
    await options.configure?.(config, sb);
    const home = join(sb.dir, "clinvk");
    const stores = {
      home,
      fs: platform.fs,
      clock: platform.clock,
      pid: platform.pid,
      sleep: platform.sleep,
      warn: () => {},
      lockTimeoutMs: 30_000,
    };
    const store = createFileStore(stores);
    const runs = createRunStore(stores);
    const logs: string[] = [];
    const server = await startServer({
      platform,
      config,
      store,
      runs,
      home,
      host: options.host ?? "127.0.0.1",
      port: 0,
      workdir: sb.work,
      logFormat: "json",
      write: (text) => logs.push(text),
    });
    try {
      await fn({ sb, server, url: server.url, store, config, logs });
    } finally {
      await server.stop();
      await server.finished;
    }
  }, options.fake);
}

/** The request log lines written so far, parsed. */
export function requestLog(logs: readonly string[]): Record<string, unknown>[] {
  return logs.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
}

/** `fetch` that reads the whole body (so no response is left open). */
export async function call(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; headers: Headers; text: string; body: unknown }> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(url, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (SSE, NDJSON, metrics)
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** Polls `condition` every 25 ms until it holds; fails after 30 s saying `what`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether the server reports `count` running backend processes of `backend`. */
export async function runningTurns(url: string, backend: string, count: number): Promise<boolean> {
  const metrics = await call(`${url}/metrics`);
  return metrics.text.includes(`clinvk_backend_processes{backend="${backend}"} ${count}`);
}
