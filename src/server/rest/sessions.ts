/**
 * `GET /api/v1/sessions` (the filters of `clinvk sessions list`, the items of its `--json`),
 * `GET /api/v1/sessions/{id}` and `DELETE /api/v1/sessions/{id}` (ids or unique prefixes, as
 * on the command line).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { sessionListItem } from "../../output/session_views.ts";
import type { SessionRecord } from "../../sessions/record.ts";
import type { SessionFilter } from "../../sessions/store_types.ts";
import { ApiError } from "../api_error.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";
import { errorFromThrown } from "../turn_errors.ts";
import { RestErrorSchema, SessionListQuery, SessionRecordSchema } from "./rest_schemas.ts";

type SessionListItem = z.infer<typeof SessionRecordSchema>;

const Id = z.object({ id: z.string().openapi({ description: "Session id or unique prefix" }) });
const notFound = {
  description: "No such session, or an ambiguous prefix",
  content: { "application/json": { schema: RestErrorSchema } },
};

const listRoute = createRoute({
  method: "get",
  path: "/api/v1/sessions",
  tags: ["clinvk"],
  summary: "List sessions, most recently used first",
  request: { query: SessionListQuery },
  responses: {
    200: {
      description: "The items of clinvk sessions list --json",
      content: { "application/json": { schema: z.array(SessionRecordSchema) } },
    },
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/v1/sessions/{id}",
  tags: ["clinvk"],
  summary: "One session's record",
  request: { params: Id },
  responses: {
    200: {
      description: "The record (clinvk sessions show --json)",
      content: { "application/json": { schema: SessionRecordSchema } },
    },
    404: notFound,
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/v1/sessions/{id}",
  tags: ["clinvk"],
  summary: "Delete a session",
  request: { params: Id },
  responses: {
    204: { description: "Deleted" },
    404: notFound,
    409: {
      description: "The session is in use",
      content: { "application/json": { schema: RestErrorSchema } },
    },
  },
});

async function resolve(deps: ServerDeps, id: string): Promise<SessionRecord> {
  try {
    return await deps.store.resolve(id);
  } catch (error) {
    throw errorFromThrown(error);
  }
}

/** Adds the routes to `app`. */
export function sessionsRoutes(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  app.openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const filter: SessionFilter = {
      backend: query.backend as SessionFilter["backend"],
      status: query.status,
      tags: query.tag === undefined ? undefined : [query.tag].flat(),
      limit: query.limit,
      resumable: query.resumable === undefined ? undefined : query.resumable === "true",
    };
    let sessions: SessionRecord[];
    try {
      sessions = await deps.store.list(filter);
    } catch (error) {
      throw errorFromThrown(error);
    }
    return c.json(sessions.map(sessionListItem) as SessionListItem[], 200);
  });

  app.openapi(getRoute, async (c) => {
    const record = await resolve(deps, c.req.valid("param").id);
    return c.json({ ...record }, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const record = await resolve(deps, c.req.valid("param").id);
    if (deps.sessions.isBusy(record.id)) {
      throw new ApiError(
        "conflict",
        `Session ${record.id} is running a turn; delete it afterwards`,
        {
          code: "session_busy",
        },
      );
    }
    try {
      await deps.store.delete(record.id);
    } catch (error) {
      throw errorFromThrown(error);
    }
    return c.body(null, 204);
  });
}
