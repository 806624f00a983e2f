/**
 * The default dispatcher: runs every job in this process through the turn engine. Concurrency
 * is the scheduler's business (global and per-backend caps); the pool just runs what it is
 * given.
 * @module
 */
import { formatTimestamp } from "../sessions/time.ts";
import type { TurnDeps } from "../turns/engine.ts";
import type { Dispatcher, RecoverableJob, TaskOutcome } from "./dispatcher.ts";
import { executeTask } from "./task_executor.ts";

/**
 * The in-process dispatcher.
 *
 * @example
 * ```ts ignore
 * const dispatcher = localDispatcher({ platform, config, store, warn });
 * const outcome = await dispatcher.run(job, { onEvent: console.log }, signal);
 * ```
 */
export function localDispatcher(deps: TurnDeps): Dispatcher {
  return {
    name: "local",
    run: (job, handlers, signal) => executeTask(deps, job, handlers, signal),
    recover: (_runId, jobs) => markStale(deps, jobs),
    close: () => Promise.resolve(),
  };
}

/**
 * A job of a coordinator that died never reports back: its result is lost, so the task runs
 * again. Its half-run session is marked `error` (nobody holds it any more), so it does not
 * linger as `active`.
 */
async function markStale(deps: TurnDeps, jobs: readonly RecoverableJob[]): Promise<TaskOutcome[]> {
  for (const job of jobs) {
    if (!job.session_id || job.worker) continue;
    try {
      const session = await deps.store.get(job.session_id);
      if (!session || (session.status !== "active" && session.status !== "created")) continue;
      await using _lease = await deps.store.acquireLease(session.id, { wait: false });
      await deps.store.update(session.id, (current) => ({
        ...current,
        status: "error",
        error: "interrupted: the clinvk process running this task was killed",
        last_used_at: formatTimestamp(deps.platform.clock.now()),
      }));
    } catch {
      // In use by someone else, or gone: leave it as it is.
    }
  }
  return [];
}
