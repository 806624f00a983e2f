/**
 * Runs one request's turn through the engine: claims the key's turn slot and the session
 * (409 when busy), stops the backend when the client goes away or the server stops, counts
 * metrics and tokens, and hands the protocol adapters the events as they arrive.
 * @module
 */
import type { UnifiedEvent } from "../backends/types.ts";
import type { TurnReport, TurnTarget } from "../turns/engine.ts";
import { EventQueue } from "./event_queue.ts";
import type { ServerDeps } from "./server_deps.ts";
import { errorFromThrown } from "./turn_errors.ts";

/** One turn to run for a request. */
export interface TurnSpec {
  target: TurnTarget;
  /** The backend that will run (for metrics before the engine reports it). */
  backend: string;
  prompt: string;
  systemPrompt?: string;
  model?: string;
  /** Wait for a busy session instead of a 409. */
  wait: boolean;
  /** The client streams: ask the backend for partial text. */
  stream: boolean;
  /** Name of the API key the limits are counted against. */
  key: string;
}

/** A running turn. */
export interface ServerTurn {
  /**
   * Resolves once the backend produced its first output (text, thinking, a tool call) or the
   * turn ended — the moment a stream can start. Never rejects.
   */
  readonly started: Promise<void>;
  /** The report; rejects with an `ApiError` when the turn could not run at all. */
  readonly done: Promise<TurnReport>;
  /** Whether the turn has ended (its `done` has settled). */
  readonly finished: boolean;
  /** Whether the backend produced any output (text, thinking, a tool call) so far. */
  readonly producedOutput: boolean;
  /** The model the backend reported at start-up, once it did. */
  readonly model: string | undefined;
  /** The clinvk session id, once known (at the first event, or at the end). */
  readonly sessionId: string | undefined;
  /** Every event of the turn in order; ends when the turn ends. One reader only. */
  events(): AsyncIterable<UnifiedEvent>;
}

const CONTENT_EVENTS: ReadonlySet<UnifiedEvent["type"]> = new Set([
  "message",
  "thinking",
  "tool_use",
  "tool_result",
]);

/**
 * Starts the turn of `spec`. Throws an `ApiError` when a limit refuses it or the session is
 * busy; `signal` aborts when the client disconnects, which stops the backend.
 */
export async function startServerTurn(
  deps: ServerDeps,
  spec: TurnSpec,
  signal: AbortSignal,
): Promise<ServerTurn> {
  const releaseSlot = deps.limits.startTurn(spec.key);
  let releaseSession = () => {};
  try {
    if (spec.target.kind === "resume") {
      releaseSession = await deps.sessions.enter(spec.target.sessionId, {
        wait: spec.wait,
        signal,
      });
    }
  } catch (error) {
    releaseSlot();
    throw errorFromThrown(error);
  }
  const stop = AbortSignal.any([signal, deps.stopTurns]);
  const queue = new EventQueue<UnifiedEvent>();
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => markStarted = resolve);
  // A fork's own id, like a new session's, is known only once the engine created it.
  const state: { finished: boolean; producedOutput: boolean; sessionId?: string; model?: string } =
    {
      finished: false,
      producedOutput: false,
      sessionId: spec.target.kind === "resume" ? spec.target.sessionId : undefined,
    };
  const began = deps.now();
  deps.metrics.runningTurns.inc({ backend: spec.backend });

  const run = async (): Promise<TurnReport> => {
    let report: TurnReport | undefined;
    try {
      report = await deps.runTurn(
        { platform: deps.platform, config: deps.config, store: deps.store, warn: deps.warn },
        spec.target,
        {
          prompt: spec.prompt,
          model: spec.model,
          systemPrompt: spec.systemPrompt,
          timeoutMs: deps.config.timeout_seconds * 1000 || undefined,
          wait: spec.wait,
          signal: stop,
          partial: spec.stream,
          onEvent(event, sessionId) {
            if (sessionId && state.sessionId === undefined) {
              state.sessionId = sessionId;
              releaseSession = deps.sessions.claimNew(sessionId);
            }
            if (event.type === "init" && event.model && !state.model) state.model = event.model;
            queue.push(event);
            if (CONTENT_EVENTS.has(event.type)) {
              state.producedOutput = true;
              markStarted();
            }
          },
        },
      );
      if (report.sessionId) state.sessionId = report.sessionId;
      return report;
    } catch (error) {
      throw errorFromThrown(error);
    } finally {
      const backend = report?.backend ?? spec.backend;
      deps.metrics.runningTurns.inc({ backend: spec.backend }, -1);
      deps.metrics.turnSeconds.observe(
        { backend, outcome: report?.exitCode === 0 ? "ok" : "failed" },
        (deps.now() - began) / 1000,
      );
      if (report) {
        deps.metrics.tokens.inc({ backend, direction: "input" }, report.usage.input);
        deps.metrics.tokens.inc({ backend, direction: "output" }, report.usage.output);
        deps.limits.addTokens(spec.key, report.usage.total);
      }
      releaseSlot();
      releaseSession();
      state.finished = true;
      queue.close();
      markStarted();
    }
  };
  const done = run();
  // Callers await `done` when they need it; an unobserved failure must not crash the server.
  done.catch(() => {});
  return {
    started,
    done,
    get finished() {
      return state.finished;
    },
    get producedOutput() {
      return state.producedOutput;
    },
    get sessionId() {
      return state.sessionId;
    },
    get model() {
      return state.model;
    },
    events: () => queue,
  };
}
