/**
 * `clinvk runs list|show|resume|cancel|delete`: the runs recorded in `$CLINVK_HOME/runs`.
 * @module
 */
import { buildCommand, buildRouteMap } from "@stricli/core";
import { ClinvkError, ExitCode } from "../../errors.ts";
import { RUN_STATUSES, type RunStatus } from "../../runs/run_record.ts";
import { lazyImport } from "../../lazy_import.ts";
import type { AppContext } from "../context.ts";
import { parsePositiveInt } from "../parsers.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";
import {
  type DispatchFlags,
  dispatchFlags,
  maxParallelFlag,
  type OutputFlags,
  outputFlags,
  outputMode,
} from "./run_flags.ts";

/** What the commands run, loaded only when one runs (`clinvk version` and `--help` stay light). */
function machinery(): Promise<typeof import("./run_machinery.ts")> {
  return lazyImport<typeof import("./run_machinery.ts")>("src/cli/runs/run_machinery.ts");
}

const idParameter = { brief: "Run id or unique prefix", parse: String, placeholder: "run-id" };

function parseRunStatus(input: string): RunStatus {
  const value = input.trim().toLowerCase();
  if ((RUN_STATUSES as readonly string[]).includes(value)) return value as RunStatus;
  throw new SyntaxError(`unknown status "${input}" (expected one of: ${RUN_STATUSES.join(", ")})`);
}

async function list(
  this: AppContext,
  flags: { status?: RunStatus; limit?: number; json?: boolean; config?: string },
): Promise<void> {
  const { displayStatus, runsTable, runDeps } = await machinery();
  const deps = await runDeps(this, flags.config);
  const all = await deps.runs.list();
  const live = new Set<string>();
  for (const record of all) {
    if (record.status === "running" && (await deps.runs.isLive(record.id))) live.add(record.id);
  }
  const records = all
    .filter((r) => !flags.status || displayStatus(r, live.has(r.id)) === flags.status)
    .slice(0, flags.limit);
  const { stdout, stderr, clock } = this.platform;
  if (flags.json) {
    const items = records.map((r) => ({
      ...r,
      live: live.has(r.id),
      status: displayStatus(r, live.has(r.id)),
    }));
    stdout.write(JSON.stringify(items, null, 2) + "\n");
    return;
  }
  if (records.length === 0) {
    stderr.write("No runs. Start one with clinvk parallel -f tasks.yaml.\n");
    return;
  }
  stdout.write(runsTable(records, clock.now(), live, stdout.columns()));
}

async function show(
  this: AppContext,
  flags: { json?: boolean; config?: string },
  id: string,
): Promise<void> {
  const { runDetails, runDeps } = await machinery();
  const deps = await runDeps(this, flags.config);
  const record = await deps.runs.resolve(id);
  const live = record.status === "running" && (await deps.runs.isLive(record.id));
  const { stdout, clock } = this.platform;
  if (flags.json) {
    stdout.write(JSON.stringify({ ...record, live }, null, 2) + "\n");
    return;
  }
  stdout.write(runDetails(record, clock.now(), live, stdout.columns()));
}

async function resume(
  this: AppContext,
  flags: OutputFlags & DispatchFlags & { maxParallel?: number },
  id: string,
): Promise<void> {
  const { resumeRun, followRun, runDeps, openDispatcher, startWith } = await machinery();
  const mode = outputMode(flags);
  const deps = await runDeps(this, flags.config);
  // Its tasks go where they went before (a run on workers reattaches to their results).
  const found = await deps.runs.resolve(id);
  const dispatcher = await openDispatcher(this, deps.config, flags, found.dispatch ?? null);
  const run = await startWith(
    deps,
    dispatcher,
    (withDispatcher) => resumeRun(withDispatcher, found.id, { maxParallel: flags.maxParallel }),
  );
  if (run.record().status === "done" && !flags.json && mode.format === "text") {
    this.platform.stderr.write(`Run ${run.id} has finished; nothing to resume.\n`);
  }
  await followRun(this, run, mode);
}

async function cancel(
  this: AppContext,
  flags: { config?: string },
  id: string,
): Promise<void> {
  const { runDeps } = await machinery();
  const deps = await runDeps(this, flags.config);
  const { stderr, clock, sleep } = this.platform;
  const found = await deps.runs.resolve(id);
  if (found.status !== "running") {
    stderr.write(`Run ${found.id} is not running (${found.status}); nothing to cancel.\n`);
    return;
  }
  const now = clock.now().toISOString();
  if (!(await deps.runs.isLive(found.id))) {
    // Its process is gone (killed, rebooted): cancel the record itself, under the run's lease.
    await using _lease = await deps.runs.acquireLease(found.id, "clinvk runs cancel");
    await deps.runs.update(found.id, (record) => ({
      ...record,
      status: "canceled",
      finished_at: now,
      coordinator: null,
      tasks: record.tasks.map((task) =>
        task.state === "pending" || task.state === "running"
          ? { ...task, state: "canceled", reason: "canceled with clinvk runs cancel" }
          : task
      ),
    }));
    stderr.write(`Canceled run ${found.id} (its process was already gone).\n`);
    return;
  }
  await deps.runs.update(found.id, (record) => ({ ...record, cancel_requested_at: now }));
  stderr.write(`Asked run ${found.id} to stop; waiting for its backends to stop…\n`);
  // The driving process notices within a second; its backends get a grace period to exit.
  for (let waited = 0; waited < 30_000; waited += 200) {
    if (!(await deps.runs.isLive(found.id))) {
      stderr.write(`Canceled run ${found.id}.\n`);
      return;
    }
    await sleep(200);
  }
  throw new ClinvkError(
    `Run ${found.id} did not stop within 30 s`,
    ExitCode.Busy,
    "It will stop once its backends exit; check with clinvk runs show.",
  );
}

async function deleteRuns(
  this: AppContext,
  flags: { force?: boolean; sessions?: boolean; config?: string },
  ...ids: string[]
): Promise<void> {
  const { removeWorktree, runDeps } = await machinery();
  const deps = await runDeps(this, flags.config);
  const { stderr, platform } = { stderr: this.platform.stderr, platform: this.platform };
  for (const id of ids) {
    const record = await deps.runs.resolve(id);
    await using _lease = await deps.runs.acquireLease(record.id, "clinvk runs delete");
    let removed = 0;
    for (const task of record.tasks) {
      if (!task.worktree) continue;
      const result = await removeWorktree(platform, task.worktree, flags.force ?? false);
      if (result.removed) removed++;
      if (result.note) stderr.write(`clinvk: ${result.note}\n`);
    }
    let sessions = 0;
    if (flags.sessions) {
      for (const session of await deps.store.list({ tags: [`run:${record.id}`] })) {
        await deps.store.delete(session.id);
        sessions++;
      }
    }
    await deps.runs.delete(record.id);
    const details = [
      removed > 0 ? `${removed} worktree${removed === 1 ? "" : "s"} removed` : "",
      flags.sessions ? `${sessions} session${sessions === 1 ? "" : "s"} deleted` : "",
    ].filter(Boolean).join(", ");
    stderr.write(`Deleted run ${record.id}${details ? ` (${details})` : ""}.\n`);
    if (!flags.sessions && record.tasks.some((t) => t.session_id)) {
      stderr.write(`Its sessions are kept: clinvk sessions list --tag run:${record.id}\n`);
    }
  }
}

/** `clinvk runs`. */
export const runsRoutes = buildRouteMap({
  routes: {
    list: buildCommand({
      func: list,
      parameters: {
        flags: {
          status: {
            kind: "parsed",
            parse: parseRunStatus,
            brief: `Only this status: ${RUN_STATUSES.join(", ")}`,
            placeholder: "status",
            optional: true,
          },
          limit: {
            kind: "parsed",
            parse: parsePositiveInt,
            brief: "Show at most this many",
            placeholder: "n",
            optional: true,
          },
          json: { ...jsonFlag, brief: "Print a JSON array of run records" },
          config: configFlag,
        },
        aliases: { s: "status", n: "limit" },
      },
      docs: { brief: "List runs, newest first" },
    }),
    show: buildCommand({
      func: show,
      parameters: {
        flags: { json: { ...jsonFlag, brief: "Print the full run record" }, config: configFlag },
        positional: { kind: "tuple", parameters: [idParameter] },
      },
      docs: { brief: "Show a run: its tasks, sessions, exit codes, tokens and checks" },
    }),
    resume: buildCommand({
      func: resume,
      parameters: {
        flags: { maxParallel: maxParallelFlag, ...dispatchFlags, ...outputFlags },
        aliases: { q: "quiet", o: "outputFormat" },
        positional: { kind: "tuple", parameters: [idParameter] },
      },
      docs: {
        brief: "Run again every task of a run that is not done (after Ctrl-C, a crash, a failure)",
      },
    }),
    cancel: buildCommand({
      func: cancel,
      parameters: {
        flags: { config: configFlag },
        positional: { kind: "tuple", parameters: [idParameter] },
      },
      docs: { brief: "Stop a run started in another terminal (its backends are stopped)" },
    }),
    delete: buildCommand({
      func: deleteRuns,
      parameters: {
        flags: {
          force: {
            kind: "boolean",
            brief: "Remove worktrees even with uncommitted changes",
            optional: true,
          },
          sessions: { kind: "boolean", brief: "Delete the run's sessions too", optional: true },
          config: configFlag,
        },
        positional: { kind: "array", parameter: idParameter, minimum: 1 },
      },
      docs: {
        brief: "Delete runs and remove their worktrees (sessions are kept unless --sessions)",
      },
    }),
  },
  aliases: { ls: "list", rm: "delete" },
  docs: { brief: "List, show, resume, cancel and delete runs" },
});
