/**
 * `clinvk resume` without a prompt on a terminal: hands the terminal to the backend's own
 * interactive mode on the session, holding the session's lease meanwhile.
 * @module
 */
import type { BackendName } from "../backends/types.ts";
import { ClinvkError, ExitCode } from "../errors.ts";
import { SpawnError } from "../platform/types.ts";
import type { SessionRecord } from "../sessions/record.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { formatTimestamp } from "../sessions/time.ts";
import { checkSessionWorkdir } from "../turns/workdir.ts";
import { getBackend } from "../backends/registry.ts";
import { shellQuote } from "../output/shell_quote.ts";
import { backendNotFound } from "../turns/execute_turn.ts";
import { abortOnSignals } from "../platform/stop_signals.ts";
import type { AppContext } from "./context.ts";
import type { TurnSetup } from "./turn_flow.ts";

/** argv (without the executable) that reopens a backend session interactively. */
export function interactiveArgs(backend: BackendName, backendSessionId: string): string[] {
  switch (backend) {
    case "claude":
      return ["--resume", backendSessionId];
    case "codex":
      return ["resume", backendSessionId];
    case "gemini":
      return ["--resume", backendSessionId];
  }
}

/** Runs the backend interactively on `session` in its directory. */
export async function runInteractive(
  context: AppContext,
  setup: TurnSetup,
  session: SessionRecord,
  store: SessionStore,
): Promise<void> {
  const { platform } = context;
  if (!session.backend_session_id) {
    throw new ClinvkError(
      `Session ${session.id} has not run its first turn yet, so there is nothing to open`,
      ExitCode.SessionNotFound,
      `Give it a prompt: clinvk resume ${session.id} "your prompt".`,
    );
  }
  const settings = setup.config.backends[session.backend];
  const backend = getBackend(session.backend);
  const command = settings.command || backend.defaultCommand;
  const args = interactiveArgs(session.backend, session.backend_session_id);
  if (setup.dryRun) {
    platform.stdout.write(
      `# in ${session.workdir}\n${[command, ...args].map(shellQuote).join(" ")}\n`,
    );
    return;
  }
  await checkSessionWorkdir(platform.fs, session.workdir, session.id);
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
      code = await platform.runAttached({
        command,
        args,
        cwd: session.workdir,
        env: settings.env,
        signal: stop.signal,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await store.update(session.id, (r) => ({ ...r, status: "error", error: message }));
      if (error instanceof SpawnError && error.failure === "not-found") {
        throw backendNotFound({ backend, command });
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
    if (code !== 0) context.exitCode = code;
  } finally {
    await lease.release();
  }
}
