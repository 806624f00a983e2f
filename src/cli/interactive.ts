/**
 * `clinvk resume` without a prompt on a terminal: hands the terminal to the backend's own
 * interactive mode on the session, holding the session's lease meanwhile.
 * @module
 */
import { abortOnSignals } from "../platform/stop_signals.ts";
import { SpawnError } from "../platform/types.ts";
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { formatTimestamp } from "../sessions/time.ts";
import { shellQuote } from "../output/shell_quote.ts";
import { interactiveCommand, notInstalled } from "../turns/engine.ts";
import { checkSessionWorkdir } from "../turns/workdir.ts";
import { ClinvkError } from "../errors.ts";
import type { AppContext } from "./context.ts";
import type { TurnSetup } from "./turn_flow.ts";

/** Runs the backend interactively on `session` in its directory. */
export async function runInteractive(
  context: AppContext,
  setup: TurnSetup,
  session: SessionRecord,
  store: SessionStore,
): Promise<void> {
  const { platform } = context;
  const { command, args, cwd, env } = interactiveCommand(setup.config, session);
  if (setup.dryRun) {
    platform.stdout.write(`# in ${cwd}\n${[command, ...args].map(shellQuote).join(" ")}\n`);
    return;
  }
  await checkSessionWorkdir(platform.fs, cwd, session.id);
  const lease = await store.acquireLease(session.id, {
    wait: setup.wait,
    command: "clinvk resume",
  });
  try {
    await store.update(session.id, (r) => ({ ...r, status: "active" }));
    let code: number;
    // The terminal delivers Ctrl-C to the backend itself; clinvk must not die of it meanwhile,
    // or the session would stay `active` and the backend be left on the shell's terminal.
    // SIGTERM and SIGHUP are passed on to the backend, and clinvk saves once it has exited.
    const stop = abortOnSignals({
      onInterrupt: (handler) =>
        platform.onInterrupt((signal) => signal !== "SIGINT" && handler(signal)),
    });
    try {
      code = await platform.runAttached({ command, args, cwd, env, signal: stop.signal });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await store.update(session.id, (r) => ({ ...r, status: "error", error: message }));
      if (error instanceof SpawnError && error.failure === "not-found") {
        throw notInstalled(setup.config, session.backend);
      }
      throw error;
    } finally {
      stop.dispose();
    }
    await store.update(session.id, (r) => ({
      ...r,
      status: code === 0 ? "completed" : "error",
      last_used_at: formatTimestamp(platform.clock.now()),
      turn_count: r.turn_count + 1,
      error: code === 0 ? null : `${session.backend} exited with code ${code}`,
      metadata: { ...r.metadata, exit_code: code },
    }));
    // The backend has shown everything; its exit code is clinvk's.
    if (code !== 0) throw new ClinvkError(`${session.backend} exited with code ${code}`, code);
  } finally {
    await lease.release();
  }
}
