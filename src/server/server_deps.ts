/**
 * Everything the server's routes and middleware share, built once by `start_server.ts` (or by
 * a test): the platform, config, store, limits, keys and metrics.
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { Platform } from "../platform/types.ts";
import type { RunStore } from "../runs/mod.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import type { runTurn } from "../turns/engine.ts";
import type { KnownKey } from "./api_keys.ts";
import type { ClientAddressOf } from "./client_address.ts";
import type { KeyLimits } from "./key_limits.ts";
import type { ServerMetrics } from "./metrics.ts";
import type { RequestLogEntry } from "./request_log.ts";
import type { SessionGate } from "./session_gate.ts";
import type { WorkdirPolicy } from "./workdir_policy.ts";

/** What every part of the server receives. */
export interface ServerDeps {
  /** The platform backends run on (its Ctrl-C handler is the server's, not each turn's). */
  platform: Platform;
  config: Config;
  store: SessionStore;
  /** The run store (`POST /api/v1/runs`). */
  runs: RunStore;
  /** `CLINVK_HOME` (runs keep their worktrees under it). */
  home: string;
  metrics: ServerMetrics;
  limits: KeyLimits;
  /** Accepted API keys; empty = no authentication (loopback only). */
  keys: readonly KnownKey[];
  workdirs: WorkdirPolicy;
  clientAddress: ClientAddressOf;
  sessions: SessionGate;
  /** The turn engine (a parameter so the benchmark can time the server around it). */
  runTurn: typeof runTurn;
  /** Aborted when running turns must stop (shutdown grace period over). */
  stopTurns: AbortSignal;
  /** True once shutdown has begun: new requests get 503. */
  draining(): boolean;
  /** Milliseconds from a monotonic clock, for durations. */
  now(): number;
  /** Writes one request log line. */
  log(entry: RequestLogEntry): void;
  /** Reports a warning (a bad session file skipped, a cleanup that failed). */
  warn(message: string): void;
}
