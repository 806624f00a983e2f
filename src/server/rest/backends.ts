/**
 * `GET /api/v1/backends`: every configured backend, whether its executable is installed (and
 * where, or why not), its default model and its model aliases.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { installedBackends } from "../backend_catalog.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";
import { BackendSchema } from "./rest_schemas.ts";

const route = createRoute({
  method: "get",
  path: "/api/v1/backends",
  tags: ["clinvk"],
  summary: "The configured backends and whether each is installed",
  responses: {
    200: {
      description: "One entry per backend",
      content: { "application/json": { schema: z.array(BackendSchema) } },
    },
  },
});

/** Adds the route to `app`. */
export function backendsRoute(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  app.openapi(route, async (c) => {
    const backends = await installedBackends(deps.platform, deps.config);
    return c.json(
      backends.map((b) => ({
        name: b.name,
        kind: b.kind,
        label: b.label,
        command: b.command,
        available: b.availability?.available ?? false,
        path: b.availability?.path ?? null,
        reason: b.availability?.reason ?? null,
        default_model: b.defaultModel ?? null,
        aliases: { ...b.models } as Record<string, string>,
      })),
      200,
    );
  });
}
