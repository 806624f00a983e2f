/**
 * Starting and stopping the server: checks that refuse an unsafe start (a non-loopback
 * address without API keys, a bad key entry, a system directory as workdir), the shared
 * dependencies, the listener, and a graceful stop — stop accepting, let running turns finish
 * for up to `server.shutdown_grace_seconds`, then stop their backends' process groups.
 * @module
 */
import type { Config, LogFormat } from "../config/schema.ts";
import { isLoopback } from "./loopback.ts";
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import type { ListeningServer } from "../platform/http_server.ts";
import type { Platform } from "../platform/types.ts";
import type { RunStore } from "../runs/mod.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { runTurn as engineRunTurn } from "../turns/engine.ts";
import { API_KEYS_ENV, type KnownKey, knownKeys } from "./api_keys.ts";
import { createApp } from "./app.ts";
import { clientAddressResolver } from "./client_address.ts";
import { KeyLimits } from "./key_limits.ts";
import { createServerMetrics } from "./metrics.ts";
import { formatRequestLog } from "./request_log.ts";
import type { ServerDeps } from "./server_deps.ts";
import { SessionGate } from "./session_gate.ts";
import { timedStore } from "./timed_store.ts";
import { createWorkdirPolicy, type WorkdirPolicy } from "./workdir_policy.ts";

/** What to start. */
export interface StartOptions {
  platform: Platform;
  config: Config;
  store: SessionStore;
  runs: RunStore;
  /** `CLINVK_HOME`. */
  home: string;
  host: string;
  port: number;
  /** Absolute path of the directory requests run in by default. */
  workdir: string;
  logFormat: LogFormat;
  /** Where log lines and warnings go. */
  write(text: string): void;
  /** The turn engine; the benchmark wraps it to time the server around it. */
  runTurn?: ServerDeps["runTurn"];
}

/** A server that is listening. */
export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly keys: readonly KnownKey[];
  readonly workdirs: WorkdirPolicy;
  /** Turns running now. */
  runningTurns(): number;
  /**
   * Stops gracefully: no new requests, running turns get the grace period, then are stopped.
   * Calling it again stops running turns at once.
   */
  stop(): Promise<void>;
  /** Resolves once the server has stopped. */
  readonly finished: Promise<void>;
}

export { isLoopback };

/** The URL of a listening address (IPv6 in brackets). */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

/** Starts the server. Throws a `ClinvkError` (exit 2) when it must not or cannot start. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { platform, config } = options;
  const keys = await knownKeys(config.server.api_keys, platform.env.get(API_KEYS_ENV));
  if (keys.length === 0 && !isLoopback(options.host)) {
    throw usageError(
      `Refusing to listen on ${options.host} without API keys: anyone who can reach it could ` +
        "run agents on this machine",
      "Add one with clinvk serve keys add NAME (or set CLINVK_API_KEYS), or listen on 127.0.0.1.",
    );
  }
  const workdirs = await createWorkdirPolicy(
    platform.fs,
    options.workdir,
    config.server.allowed_workdirs,
  );
  const metrics = createServerMetrics(() => platform.server.residentMemoryBytes());
  const now = () => performance.now();
  const stopTurns = new AbortController();
  let draining = false;
  const deps: ServerDeps = {
    // Ctrl-C belongs to the server (graceful shutdown), not to each running turn.
    platform: { ...platform, onInterrupt: () => () => {} },
    config,
    store: timedStore(options.store, metrics.storeSeconds, now),
    runs: options.runs,
    home: options.home,
    metrics,
    limits: new KeyLimits(
      {
        requestsPerMinute: config.server.limits.requests_per_minute,
        concurrentTurns: config.server.limits.concurrent_turns,
        tokensPerDay: config.server.limits.tokens_per_day,
      },
      () => platform.clock.now().getTime(),
      (key, limit) => metrics.rateLimited.inc({ key, limit }),
    ),
    keys,
    workdirs,
    clientAddress: clientAddressResolver(config.server.trusted_proxies),
    sessions: new SessionGate(),
    runTurn: options.runTurn ?? engineRunTurn,
    stopTurns: stopTurns.signal,
    draining: () => draining,
    now,
    log: (entry) => options.write(formatRequestLog(entry, options.logFormat)),
    warn: (message) => options.write(`clinvk serve: warning: ${message}\n`),
  };
  const app = createApp(deps, platform.clock.now());
  let server: ListeningServer;
  try {
    server = platform.server.listen(
      { hostname: options.host, port: options.port },
      (request, info) => app.fetch(request, { remoteAddress: info.remoteAddress }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === "AddrInUse") {
      throw new ClinvkError(
        `Cannot listen on ${serverUrl(options.host, options.port)}: the address is in use`,
        ExitCode.Usage,
        "Stop the other server or pick another port with --port.",
      );
    }
    if (error instanceof Error && error.name === "AddrNotAvailable") {
      throw usageError(`Cannot listen on ${options.host}: no such address on this machine`);
    }
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const runningTurns = () =>
    Object.keys(config.backends).reduce(
      (sum, backend) => sum + metrics.runningTurns.get({ backend }),
      0,
    );
  return {
    url: serverUrl(server.hostname, server.port),
    port: server.port,
    keys,
    workdirs,
    runningTurns,
    stop() {
      if (stopping) {
        stopTurns.abort();
        return stopping;
      }
      draining = true;
      const grace = setTimeout(
        () => stopTurns.abort(),
        config.server.shutdown_grace_seconds * 1000,
      );
      stopping = server.shutdown().finally(() => clearTimeout(grace));
      return stopping;
    },
    finished: server.finished,
  };
}
