/**
 * Sessions that live on workers: a task run by `clinvk worker` on another machine has its
 * session in that worker's store, and only the coordinator's run records know of it. A later
 * run sent to workers may continue such a session by its id (`resume: <id>`), and is routed to
 * the worker holding it.
 * @module
 */
import { ClinvkError, ExitCode } from "../errors.ts";
import type { WorkerSession } from "./plan_run.ts";
import type { RunStore } from "./run_store.ts";

/**
 * The session with this id (or unique prefix) that a worker holds, from the run records;
 * `undefined` when no record names one. The latest record of it wins (a session resumed in a
 * later run is still the same session on the same worker).
 *
 * @throws {ClinvkError} exit 4 when the prefix matches several sessions.
 */
export async function findWorkerSession(
  runs: RunStore,
  idOrPrefix: string,
): Promise<WorkerSession | undefined> {
  const found = new Map<string, WorkerSession & { at: string }>();
  for (const record of await runs.list()) {
    for (const task of record.tasks) {
      if (!task.worker || !task.session_id?.startsWith(idOrPrefix)) continue;
      const at = task.ended_at ?? task.started_at ?? record.created_at;
      const known = found.get(task.session_id);
      if (known && known.at >= at) continue;
      found.set(task.session_id, {
        session_id: task.session_id,
        worker: task.worker,
        backend: task.spec.backend,
        workdir: task.workdir || task.spec.workdir,
        at,
      });
    }
  }
  const exact = found.get(idOrPrefix);
  const matches = exact ? [exact] : [...found.values()];
  if (matches.length > 1) {
    throw new ClinvkError(
      `Session prefix "${idOrPrefix}" is ambiguous among sessions on workers: ${
        matches.map((m) => m.session_id).sort().join(", ")
      }`,
      ExitCode.SessionNotFound,
      "Give more characters.",
    );
  }
  const [match] = matches;
  if (!match) return undefined;
  const { at: _at, ...session } = match;
  return session;
}
