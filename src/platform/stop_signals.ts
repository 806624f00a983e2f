/**
 * Why a running backend is stopped, and how: the process signals clinvk forwards (Ctrl-C, a
 * closed terminal, a cancelled CI job), the abort reason that carries them, and the exit code
 * each one ends clinvk with (128 + the signal's number, as shells report it).
 * @module
 */
import type { Platform } from "./types.ts";

/** The process signals that stop a turn: Ctrl-C, a hang-up, a polite kill. */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** Every {@linkcode StopSignal}, in the order clinvk listens for them. */
export const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const SIGNAL_NUMBERS: Readonly<Record<StopSignal, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * The abort reason that says "this process received `signal`": the backend gets the same
 * signal, and clinvk exits with {@linkcode signalExitCode}. Any other abort reason (a client
 * that disconnected, a run that fails fast) stops the backend as Ctrl-C does.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * controller.abort(new StopRequest("SIGTERM"));
 * stopSignalOf(controller.signal.reason); // "SIGTERM"
 * ```
 */
export class StopRequest {
  /** A stop caused by `signal`. */
  constructor(readonly signal: StopSignal) {}
}

/** The signal to forward for an abort `reason`: its own for a {@linkcode StopRequest}, else SIGINT. */
export function stopSignalOf(reason: unknown): StopSignal {
  return reason instanceof StopRequest ? reason.signal : "SIGINT";
}

/**
 * The exit code of a process stopped by `signal`: 128 + its number (130 for Ctrl-C, 143 for
 * SIGTERM, 129 for SIGHUP).
 *
 * @example
 * ```ts
 * signalExitCode("SIGTERM"); // 143
 * ```
 */
export function signalExitCode(signal: StopSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

/** An abort signal fired by the process's stop signals, and how to stop listening. */
export interface SignalAbort {
  readonly signal: AbortSignal;
  /** Stops listening; signals arriving later get their default action again. */
  dispose(): void;
}

/**
 * Listens for SIGINT, SIGTERM and SIGHUP (through `platform.onInterrupt`) and aborts the
 * returned signal with a {@linkcode StopRequest} for the first one. While it listens, those
 * signals no longer end the process: pass the signal to `runTurn` so that the backend is
 * stopped and the session saved before clinvk exits. Call `dispose` when the turn is over.
 *
 * @example
 * ```ts ignore
 * const stop = abortOnSignals(platform);
 * try {
 *   await runTurn(deps, target, { prompt, signal: stop.signal });
 * } finally {
 *   stop.dispose();
 * }
 * ```
 */
export function abortOnSignals(platform: Pick<Platform, "onInterrupt">): SignalAbort {
  const controller = new AbortController();
  const remove = platform.onInterrupt((signal) => {
    if (!controller.signal.aborted) controller.abort(new StopRequest(signal));
  });
  return { signal: controller.signal, dispose: remove };
}
