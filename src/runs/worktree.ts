/**
 * Worktree isolation: a task with `worktree: true` runs in a new git worktree of its workdir's
 * repository, on a branch named after the run and the task (`clinvk/<run-id>/<task-id>`), under
 * `$CLINVK_HOME/worktrees/<run-id>/<task-id>`. Worktrees are kept for review and removed by
 * `clinvk runs delete`.
 * @module
 */
import { join, relative } from "node:path";
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import type { Platform } from "../platform/types.ts";
import { runCommand } from "./command.ts";
import type { WorktreeInfo } from "./run_record.ts";

async function git(platform: Platform, cwd: string, args: string[], signal?: AbortSignal) {
  return await runCommand(platform, {
    command: "git",
    args,
    cwd,
    signal,
    env: { GIT_TERMINAL_PROMPT: "0" },
  });
}

/** git's message without its `fatal: ` prefix, on one line. */
function gitReason(output: string): string {
  const line = output.trim().split("\n").filter(Boolean).at(-1) ?? "git failed";
  return line.replace(/^(fatal|error): /, "");
}

/**
 * Where a task's worktree will be: the repository of `workdir`, the branch and the path.
 *
 * @throws {ClinvkError} exit 2 when `workdir` is not inside a git repository (or git is missing).
 */
export async function planWorktree(
  platform: Platform,
  options: { home: string; runId: string; taskId: string; workdir: string },
): Promise<WorktreeInfo> {
  let result;
  try {
    result = await git(platform, options.workdir, ["rev-parse", "--show-toplevel"]);
  } catch (error) {
    throw usageError(
      `Task "${options.taskId}" asks for a worktree, but git cannot run: ${
        (error as Error).message
      }`,
      "Install git, or drop worktree: true.",
    );
  }
  if (result.code !== 0) {
    throw usageError(
      `Task "${options.taskId}" asks for a worktree, but ${options.workdir} is not inside a git repository`,
      "Run it from a repository (git init), or drop worktree: true.",
    );
  }
  const repo = await platform.fs.realPath(result.output.trim());
  return {
    repo,
    branch: `clinvk/${options.runId}/${options.taskId}`,
    path: join(options.home, "worktrees", options.runId, options.taskId),
    subdir: relative(repo, options.workdir),
  };
}

// `git worktree add` is not safe to run twice at once in one repository (it reads the other's
// half-written `.git/worktrees/<name>`): this process makes a repository's worktrees one at a time.
const queues = new Map<string, Promise<unknown>>();

function oneAtATime<T>(repo: string, fn: () => Promise<T>): Promise<T> {
  const next = (queues.get(repo) ?? Promise.resolve()).then(fn, fn);
  const settled = next.catch(() => {});
  queues.set(repo, settled);
  settled.then(() => {
    if (queues.get(repo) === settled) queues.delete(repo);
  });
  return next;
}

/** Creates the worktree, or reuses it when it is already there (a retry, a resumed run). */
export function ensureWorktree(
  platform: Platform,
  info: WorktreeInfo,
  signal?: AbortSignal,
): Promise<void> {
  return oneAtATime(info.repo, () => createWorktree(platform, info, signal));
}

async function createWorktree(
  platform: Platform,
  info: WorktreeInfo,
  signal?: AbortSignal,
): Promise<void> {
  const existing = await platform.fs.stat(info.path).catch(() => undefined);
  if (existing?.isDirectory) {
    const top = await git(platform, info.path, ["rev-parse", "--show-toplevel"], signal);
    const real = top.code === 0
      ? await platform.fs.realPath(top.output.trim()).catch(() => "")
      : "";
    const path = await platform.fs.realPath(info.path).catch(() => info.path);
    if (real === path) return;
    throw new Error(`${info.path} exists but is not a worktree of ${info.repo}`);
  }
  await platform.fs.mkdir(join(info.path, ".."), { recursive: true });
  // A failed attempt may have left the branch behind: check again before each try.
  const add = async () => {
    const hasBranch = (await git(platform, info.repo, [
      "rev-parse",
      "--verify",
      "--quiet",
      `refs/heads/${info.branch}`,
    ], signal)).code === 0;
    return await git(
      platform,
      info.repo,
      hasBranch
        ? ["worktree", "add", info.path, info.branch]
        : ["worktree", "add", "-b", info.branch, info.path, "HEAD"],
      signal,
    );
  };
  let added = await add();
  // Another clinvk process adding a worktree to the same repository at this instant: try again.
  for (let retry = 0; added.code !== 0 && retry < 3 && !signal?.aborted; retry++) {
    await platform.sleep(200 * (retry + 1));
    if ((await platform.fs.stat(info.path).catch(() => undefined))?.isDirectory) {
      await git(platform, info.repo, ["worktree", "prune"], signal);
      await platform.fs.remove(info.path, { recursive: true }).catch(() => {});
    }
    added = await add();
  }
  if (added.code !== 0) {
    throw new Error(`cannot create worktree ${info.path}: ${gitReason(added.output)}`);
  }
}

/** What {@linkcode removeWorktree} did. */
export interface WorktreeRemoval {
  removed: boolean;
  /** False when the branch has commits that are not merged (it is kept, and `note` says so). */
  branchDeleted: boolean;
  note?: string;
}

/**
 * Removes a task's worktree and, when it holds no unmerged commits, its branch.
 *
 * @throws {ClinvkError} exit 1 when the worktree has uncommitted changes and `force` is not set.
 */
export async function removeWorktree(
  platform: Platform,
  info: WorktreeInfo,
  force: boolean,
): Promise<WorktreeRemoval> {
  const exists = (await platform.fs.stat(info.path).catch(() => undefined))?.isDirectory;
  if (exists) {
    if (!force) {
      const status = await git(platform, info.path, ["status", "--porcelain"]);
      if (status.code === 0 && status.output.trim() !== "") {
        throw new ClinvkError(
          `Worktree ${info.path} has uncommitted changes`,
          ExitCode.BackendFailed,
          "Commit or copy what you want to keep, or pass --force to discard them.",
        );
      }
    }
    const removed = await git(platform, info.repo, [
      "worktree",
      "remove",
      ...(force ? ["--force"] : []),
      info.path,
    ]);
    if (removed.code !== 0) {
      throw new ClinvkError(
        `Cannot remove worktree ${info.path}: ${gitReason(removed.output)}`,
        ExitCode.BackendFailed,
      );
    }
  } else {
    await git(platform, info.repo, ["worktree", "prune"]).catch(() => undefined);
  }
  const branch = await git(platform, info.repo, ["branch", "-d", info.branch]).catch(() =>
    undefined
  );
  if (!branch || branch.code === 0 || /not found/.test(branch.output)) {
    return { removed: Boolean(exists), branchDeleted: true };
  }
  return {
    removed: Boolean(exists),
    branchDeleted: false,
    note: `kept branch ${info.branch}: it has commits not merged into ${info.repo}'s HEAD ` +
      `(delete it with: git -C ${info.repo} branch -D ${info.branch})`,
  };
}
