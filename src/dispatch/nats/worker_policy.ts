/**
 * What a worker refuses to run, decided before any backend starts: a task whose directory is
 * not under the worker's allowed roots (`worker.allowed_roots`, or the directory the worker was
 * started in), resolved through symlinks so a link cannot lead outside; and a task that wants a
 * git worktree, which would be made in the coordinator's `CLINVK_HOME` on another machine.
 * @module
 */
import { isAbsolute } from "node:path";
import { usageError } from "../../errors.ts";
import type { Fs } from "../../platform/types.ts";
import type { TaskJob } from "../../runs/dispatcher.ts";
import type { SessionStore } from "../../sessions/store_types.ts";
import {
  isAllowedWorkdir,
  isSystemPath,
  realDirectory,
  type WorkdirPolicy,
} from "../../server/workdir_policy.ts";

/**
 * The roots a worker started in `cwd` allows: `configured` (absolute, existing), else `cwd`.
 *
 * @throws {ClinvkError} exit 2 for a root that is relative, missing or a system directory.
 */
export async function workerRoots(
  fs: Fs,
  cwd: string,
  configured: readonly string[],
): Promise<WorkdirPolicy> {
  const roots: string[] = [];
  const wanted = configured.length > 0 ? configured : [cwd];
  for (const root of wanted) {
    const what = configured.length > 0 ? `worker.allowed_roots entry ${root}` : `directory ${root}`;
    if (!isAbsolute(root)) throw usageError(`The ${what} is not an absolute path`);
    const real = await realDirectory(fs, root);
    if (!real) throw usageError(`The ${what} is not an existing directory`);
    if (isSystemPath(real)) {
      throw usageError(
        `The ${what} is a system directory; a worker never runs backends there`,
        configured.length > 0
          ? "Point worker.allowed_roots at project directories."
          : "Start the worker in a project directory, or set worker.allowed_roots.",
      );
    }
    roots.push(real);
  }
  return { defaultWorkdir: roots[0]!, roots };
}

/**
 * Why this worker will not run `job`, or `undefined` when it may. A `resume` or `fork` runs in
 * its session's directory, looked up in this worker's store (a session it does not hold is for
 * the turn itself to report).
 */
export async function refusal(
  fs: Fs,
  store: SessionStore,
  policy: WorkdirPolicy,
  job: TaskJob,
): Promise<string | undefined> {
  if (job.worktree) {
    return "tasks with worktree: true run only in the coordinator (clinvk parallel without --dispatch)";
  }
  let workdir: string;
  if ("workdir" in job.target) {
    workdir = job.target.workdir;
  } else {
    const session = await store.get(job.target.session_id).catch(() => undefined);
    if (!session) return undefined;
    workdir = session.workdir;
  }
  const real = await realDirectory(fs, workdir);
  if (!real) return `its workdir ${workdir} does not exist on this machine`;
  if (isAllowedWorkdir(policy, real)) return undefined;
  const resolved = real === workdir ? "" : ` (resolves to ${real})`;
  return `its workdir ${workdir}${resolved} is not under this worker's allowed roots ` +
    `(${policy.roots.join(", ")})`;
}
