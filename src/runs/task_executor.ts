/**
 * Runs one job where the session will live: prepares its worktree, runs its turn through the
 * turn engine, then its `check` command, and reports one {@linkcode TaskOutcome}. The local
 * pool calls this in the coordinator's process; a worker on another machine would call the
 * same function.
 * @module
 */
import { join } from "node:path";
import { checkPrompt } from "../cli/prompt_input.ts";
import { ClinvkError, formatError } from "../errors.ts";
import { runTurn, type TurnDeps, type TurnTarget } from "../turns/engine.ts";
import { runCommand } from "./command.ts";
import type { JobHandlers, JobTarget, TaskJob, TaskOutcome } from "./dispatcher.ts";
import type { CheckResult } from "./run_record.ts";
import { ensureWorktree } from "./worktree.ts";

/** Characters of a check's output kept in the run record. */
const CHECK_OUTPUT_CHARS = 4000;

function turnTarget(target: JobTarget): TurnTarget {
  switch (target.kind) {
    case "ephemeral":
      return { kind: "ephemeral", backend: target.backend, workdir: target.workdir };
    case "new":
      return {
        kind: "new",
        backend: target.backend,
        workdir: target.workdir,
        tags: target.tags,
        title: target.title,
      };
    case "resume":
      return { kind: "resume", sessionId: target.session_id };
    case "fork":
      return { kind: "fork", sessionId: target.session_id, tags: target.tags };
  }
}

/**
 * Runs `job` to its end. Never rejects for a failure the user can cause: a backend that is
 * missing, a session in use, a worktree that cannot be made — each is an outcome with its
 * exit code and message.
 */
export async function executeTask(
  deps: TurnDeps,
  job: TaskJob,
  handlers: JobHandlers,
  signal: AbortSignal,
): Promise<TaskOutcome> {
  const { platform } = deps;
  const startedAt = platform.clock.now();
  const base = {
    job_id: job.job_id,
    task_id: job.task_id,
    attempt: job.attempt,
    worker: null,
    backend: job.backend,
    started_at: startedAt.toISOString(),
  };
  const workdir = "workdir" in job.target ? job.target.workdir : "";
  const failed = (error: unknown): TaskOutcome => {
    const ended = platform.clock.now();
    return {
      ...base,
      backend_session_id: null,
      model: job.model ?? null,
      exit_code: error instanceof ClinvkError ? error.exitCode : 1,
      content: "",
      usage: { input: 0, output: 0, cached: 0, total: 0 },
      error: error instanceof ClinvkError
        ? formatError(error).replace(/^clinvk: /, "")
        : error instanceof Error
        ? error.message
        : String(error),
      error_class: "setup",
      duration_seconds: (ended.getTime() - startedAt.getTime()) / 1000,
      ended_at: ended.toISOString(),
      workdir,
    };
  };
  let sessionSeen: string | undefined;
  let report;
  try {
    if (job.worktree && !job.dry_run) await ensureWorktree(platform, job.worktree, signal);
    const prompt = checkPrompt(job.prompt);
    report = await runTurn(deps, turnTarget(job.target), {
      prompt,
      model: job.model,
      systemPrompt: job.system_prompt,
      timeoutMs: job.timeout_ms,
      idleTimeoutMs: job.idle_timeout_ms,
      signal,
      env: job.env,
      dryRun: job.dry_run,
      force: job.force,
      onEvent(event, sessionId) {
        if (sessionId && sessionId !== sessionSeen) {
          sessionSeen = sessionId;
          handlers.onSession?.({ session_id: sessionId, worker: null });
        }
        handlers.onEvent({
          job_id: job.job_id,
          task_id: job.task_id,
          session_id: sessionId,
          event,
        });
      },
    });
  } catch (error) {
    return failed(error);
  }
  if (report.saveError !== undefined) {
    const reason = report.saveError instanceof Error
      ? report.saveError.message
      : String(report.saveError);
    deps.warn(`task ${job.task_id}: its session could not be saved: ${reason}`);
  }
  let check: CheckResult | undefined;
  if (report.exitCode === 0 && job.check && !job.dry_run) {
    check = await runCheck(deps, job, report.cwd, signal);
  }
  const ended = platform.clock.now();
  return {
    ...base,
    ...(report.sessionId ? { session_id: report.sessionId } : {}),
    backend: report.backend,
    backend_session_id: report.backendSessionId,
    model: report.model,
    exit_code: report.exitCode,
    content: report.content,
    usage: report.usage,
    ...(report.error ? { error: report.error } : {}),
    ...(report.errorClass ? { error_class: report.errorClass } : {}),
    duration_seconds: report.durationSeconds,
    ended_at: ended.toISOString(),
    workdir: report.cwd,
    ...(check ? { check } : {}),
    ...(job.dry_run ? { argv: report.argv } : {}),
  };
}

/** Runs the task's check in its directory; a check that cannot start fails with exit 127. */
async function runCheck(
  deps: TurnDeps,
  job: TaskJob,
  cwd: string,
  signal: AbortSignal,
): Promise<CheckResult> {
  const command = job.check!;
  const shell = deps.platform.os === "windows" ? ["cmd", "/c"] : ["sh", "-c"];
  try {
    const result = await runCommand(deps.platform, {
      command: shell[0]!,
      args: [shell[1]!, command],
      cwd: cwd || (job.worktree ? join(job.worktree.path, job.worktree.subdir) : "."),
      env: job.env,
      signal,
      timeoutMs: job.timeout_ms,
    });
    return {
      command,
      exit_code: result.code,
      passed: result.code === 0,
      output: result.output.slice(-CHECK_OUTPUT_CHARS),
      duration_seconds: result.durationMs / 1000,
    };
  } catch (error) {
    return {
      command,
      exit_code: 127,
      passed: false,
      output: (error as Error).message,
      duration_seconds: 0,
    };
  }
}
