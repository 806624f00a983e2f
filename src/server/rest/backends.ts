/**
 * `GET /api/v1/backends`: every configured backend, whether its executable is installed, its
 * default model and its aliases.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { checkAvailability, configuredBackends } from "../backend_catalog.ts";
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
    const backends = await checkAvailability(
      deps.platform,
      deps.config,
      configuredBackends(deps.config),
    );
    return c.json(
      backends.map((b) => ({
        name: b.name,
        command: b.command,
        available: b.available ?? false,
        default_model: b.defaultModel ?? null,
        aliases: b.aliases,
      })),
      200,
    );
  });
}
