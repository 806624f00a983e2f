/**
 * The default dispatcher: runs every job in this process through the turn engine. Concurrency
 * is the scheduler's business (global and per-backend caps); the pool just runs what it is
 * given.
 * @module
 */
import { formatTimestamp } from "../sessions/time.ts";
import type { TurnDeps } from "../turns/engine.ts";
import type { Dispatcher, JobRecovery, RecoverableJob } from "./dispatcher.ts";
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
    recover: async (_runId, jobs) => {
      await markStale(deps, jobs);
      return { outcomes: [], running: [] } satisfies JobRecovery;
    },
    close: () => Promise.resolve(),
  };
}

/**
 * A job of a coordinator that died never reports back: its result is lost, so the task runs
 * again. Its half-run session is marked `error` (nobody holds it any more), so it does not
 * linger as `active`.
 */
async function markStale(deps: TurnDeps, jobs: readonly RecoverableJob[]): Promise<void> {
  const sessions = jobs.filter((job) => job.session_id && !job.worker).map((j) => j.session_id!);
  await markSessionsInterrupted(
    deps,
    sessions,
    "interrupted: the clinvk process running this task was killed",
  );
}

/**
 * Marks each of these sessions `error` with `reason`, when it is still `active` or `created`
 * and nobody holds it: the process that ran its turn died without saving how it ended. Used by
 * `runs resume` here and by a worker that starts again after it was killed.
 */
export async function markSessionsInterrupted(
  deps: TurnDeps,
  sessionIds: readonly string[],
  reason: string,
): Promise<void> {
  for (const id of sessionIds) {
    try {
      const session = await deps.store.get(id);
      if (!session || (session.status !== "active" && session.status !== "created")) continue;
      await using _lease = await deps.store.acquireLease(session.id, { wait: false });
      await deps.store.update(session.id, (current) => ({
        ...current,
        status: "error",
        error: reason,
        last_used_at: formatTimestamp(deps.platform.clock.now()),
      }));
    } catch {
      // In use by someone else, or gone: leave it as it is.
    }
  }
}
