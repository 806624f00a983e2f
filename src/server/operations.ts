/**
 * `GET /health` (the process answers), `GET /ready` (the default backend is installed and the
 * session store is writable; 503 otherwise) and `GET /metrics` (Prometheus).
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { join } from "node:path";
import { installedBackends } from "./backend_catalog.ts";
import type { ServerDeps } from "./server_deps.ts";
import type { ServerEnv } from "./server_env.ts";

const Ready = z.object({
  ready: z.boolean(),
  backends: z.record(z.string(), z.boolean()).openapi({ description: "Installed or not" }),
  default_backend: z.string(),
  store: z.object({ writable: z.boolean(), error: z.string().optional() }),
}).openapi("Readiness");

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["operations"],
  summary: "Liveness: the server answers",
  responses: {
    200: {
      description: "Alive",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

const readyRoute = createRoute({
  method: "get",
  path: "/ready",
  tags: ["operations"],
  summary: "Readiness: the default backend is installed and the session store is writable",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: Ready } } },
    503: { description: "Not ready", content: { "application/json": { schema: Ready } } },
  },
});

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["operations"],
  summary: "Prometheus metrics (text exposition format)",
  responses: {
    200: { description: "The metrics", content: { "text/plain": { schema: z.string() } } },
  },
});

/** Writes and removes a dot-file in the store's directory (dot-names are never sessions). */
async function storeWritable(deps: ServerDeps): Promise<{ writable: boolean; error?: string }> {
  const { fs } = deps.platform;
  const probe = join(deps.store.dir, `.ready-${deps.platform.pid}`);
  try {
    await fs.mkdir(deps.store.dir, { recursive: true, mode: 0o700 });
    await fs.writeTextFile(probe, "");
    await fs.remove(probe);
    return { writable: true };
  } catch (error) {
    return { writable: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Adds the routes to `app`. */
export function operationsRoutes(app: OpenAPIHono<ServerEnv>, deps: ServerDeps): void {
  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(readyRoute, async (c) => {
    const backends = await installedBackends(deps.platform, deps.config);
    const store = await storeWritable(deps);
    const installed = Object.fromEntries(
      backends.map((b) => [b.name, b.availability?.available ?? false]),
    );
    const defaultBackend = deps.config.default_backend;
    const ready = store.writable && installed[defaultBackend] === true;
    const body = { ready, backends: installed, default_backend: defaultBackend, store };
    return ready ? c.json(body, 200) : c.json(body, 503);
  });

  app.openapi(metricsRoute, (c) => {
    return c.text(deps.metrics.render(), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
}
