/**
 * `POST /api/v1/runs` (a run file as JSON: `clinvk parallel`/`chain` over HTTP),
 * `GET /api/v1/runs/{id}` (its record and results) and `GET /api/v1/runs/{id}/events` (its
 * events as Server-Sent Events, from `run_started` to `run_done`), on the run engine.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  parseRunValue,
  type RunDeps,
  type RunHandle,
  type RunRecord,
  runResults,
  startRun,
} from "../../runs/mod.ts";
import { ApiError } from "../api_error.ts";
import { configuredBackends } from "../backend_catalog.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";
import { EventQueue } from "../event_queue.ts";
import {
  KEEPALIVE_COMMENT,
  SSE_HEADERS,
  type SseEvent,
  sseFrames,
  textStream,
  withKeepalive,
} from "../stream_response.ts";
import { errorFromThrown } from "../turn_errors.ts";
import { isAllowedWorkdir, requestWorkdir, workdirRefused } from "../workdir_policy.ts";

/** Runs this server started, so their events can be followed (the last ones, finished included). */
const KEEP_FINISHED = 100;

const RunQuery = z.object({
  kind: z.enum(["parallel", "chain"]).optional().openapi({
    description:
      "How to read the file: chain makes each step need the one before (default: chain when the body has steps)",
  }),
});

const Id = z.object({ id: z.string().openapi({ description: "Run id or unique prefix" }) });

const startRoute = createRoute({
  method: "post",
  path: "/api/v1/runs",
  tags: ["clinvk"],
  summary: "Start a run (a run file as JSON, as clinvk parallel -f or chain -f reads it)",
  request: {
    query: RunQuery,
    body: {
      required: true,
      content: { "application/json": { schema: z.looseObject({}).openapi("RunFile") } },
    },
  },
  responses: { 202: { description: "Started: the run's results so far; Location names it" } },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/v1/runs/{id}",
  tags: ["clinvk"],
  summary: "A run's record and results (clinvk runs show --json)",
  request: { params: Id },
  responses: { 200: { description: "The record and results" } },
});

const eventsRoute = createRoute({
  method: "get",
  path: "/api/v1/runs/{id}/events",
  tags: ["clinvk"],
  summary: "A run's events as Server-Sent Events, from run_started to run_done",
  request: { params: Id },
  responses: { 200: { description: "text/event-stream of run events" } },
});

/** Adds the routes to `app`. */
export function runsRoutes(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  const runDeps: RunDeps = {
    platform: deps.platform,
    config: deps.config,
    store: deps.store,
    warn: deps.warn,
    runs: deps.runs,
    home: deps.home,
  };
  const handles = new Map<string, RunHandle>();
  const remember = (handle: RunHandle) => {
    handles.set(handle.id, handle);
    handle.done.finally(() => {
      const finished = [...handles.keys()];
      while (finished.length > KEEP_FINISHED) handles.delete(finished.shift()!);
    }).catch(() => {});
  };

  app.openapi(startRoute, async (c) => {
    const body = c.req.valid("json");
    const kind = c.req.valid("query").kind ??
      ("steps" in body && !("tasks" in body) ? "chain" : "parallel");
    // A run counts against its key like a turn: refused over the turn or token limits.
    deps.limits.startTurn(c.get("key"))();
    let handle: RunHandle;
    try {
      const { spec } = parseRunValue(body, {
        file: "request body",
        kind,
        backends: configuredBackends(deps.config).map((b) => b.name),
      });
      for (const task of spec.tasks) {
        if (task.workdir) await requestWorkdir(deps.platform.fs, deps.workdirs, task.workdir);
      }
      handle = await startRun(runDeps, spec, {
        cwd: deps.workdirs.defaultWorkdir,
        source: null,
        command: "clinvk serve",
      });
    } catch (error) {
      throw errorFromThrown(error);
    }
    remember(handle);
    const key = c.get("key");
    handle.done.then(({ record }) => deps.limits.addTokens(key, record.token_usage.total)).catch(
      () => {},
    );
    const record = handle.record();
    for (const task of record.tasks) {
      if (task.workdir && !isAllowedWorkdir(deps.workdirs, task.workdir)) {
        handle.cancel("canceled");
        throw workdirRefused(task.workdir, task.workdir, deps.workdirs);
      }
    }
    c.header("Location", `/api/v1/runs/${handle.id}`);
    return c.json(runResults(record), 202);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const live = handles.get(id);
    if (live) return c.json(runResults(live.record()), 200);
    try {
      const record = await deps.runs.resolve(id);
      return c.json(runResults(record), 200);
    } catch (error) {
      throw errorFromThrown(error);
    }
  });

  app.openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid("param");
    let handle = handles.get(id);
    if (!handle) {
      let record: RunRecord;
      try {
        record = await deps.runs.resolve(id);
      } catch (error) {
        throw errorFromThrown(error);
      }
      handle = handles.get(record.id);
      if (!handle) {
        throw new ApiError(
          "not_found",
          `Run ${record.id} was not started by this server, so its events are not here; ` +
            `GET /api/v1/runs/${record.id} has its record`,
          { code: "run_events_unavailable" },
        );
      }
    }
    const queue = new EventQueue<SseEvent>();
    const unsubscribe = handle.subscribe((event) => {
      queue.push({ event: event.type, data: JSON.stringify(event) });
      if (event.type === "run_done") queue.close();
    }, { replay: true });
    handle.done.finally(() => queue.close()).catch(() => {});
    const frames = (async function* () {
      try {
        yield* withKeepalive(queue, () => KEEPALIVE_COMMENT);
      } finally {
        unsubscribe();
      }
    })();
    return c.body(
      textStream(sseFrames(frames), () => {
        unsubscribe();
        queue.close();
      }),
      200,
      SSE_HEADERS,
    );
  });
}
