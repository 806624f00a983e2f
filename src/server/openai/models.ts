/**
 * `GET /v1/models` and `GET /v1/models/{model}`: the backends that are installed, each with its
 * aliases (`claude`, `claude:fast`, …) and the concrete models named in config. Answered in
 * Anthropic's shape when the client sends `anthropic-version` (the Anthropic SDKs do), in
 * OpenAI's otherwise.
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "../api_error.ts";
import { installedBackends, modelEntries, type ModelEntry } from "../backend_catalog.ts";
import type { ServerDeps } from "../server_deps.ts";
import type { ServerEnv } from "../server_env.ts";

const listRoute = createRoute({
  method: "get",
  path: "/v1/models",
  tags: ["OpenAI", "Anthropic"],
  summary: "List the models (backends and aliases) this server offers",
  responses: {
    200: { description: "An OpenAI model list, or Anthropic's with anthropic-version" },
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/models/{model}",
  tags: ["OpenAI", "Anthropic"],
  summary: "Describe one model",
  request: { params: z.object({ model: z.string() }) },
  responses: { 200: { description: "One model object" } },
});

function describe(entry: ModelEntry): string {
  if (!entry.model) return `${entry.backend} (its default model)`;
  return entry.id === entry.model
    ? `${entry.model} on ${entry.backend}`
    : `${entry.backend}, ${entry.model}`;
}

/** Adds the routes to `app`; `startedAt` dates the model objects. */
export function modelsRoutes(app: OpenAPIHono<ServerEnv>, deps: ServerDeps, startedAt: Date): void {
  const entries = async () => modelEntries(await installedBackends(deps.platform, deps.config));
  const openAI = (entry: ModelEntry) => ({
    id: entry.id,
    object: "model",
    created: Math.floor(startedAt.getTime() / 1000),
    owned_by: entry.backend,
  });
  const anthropic = (entry: ModelEntry) => ({
    type: "model",
    id: entry.id,
    display_name: describe(entry),
    created_at: startedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
  });
  app.openapi(listRoute, async (c) => {
    const list = await entries();
    if (c.req.header("anthropic-version")) {
      return c.json({
        data: list.map(anthropic),
        has_more: false,
        first_id: list[0]?.id ?? null,
        last_id: list.at(-1)?.id ?? null,
      });
    }
    return c.json({ object: "list", data: list.map(openAI) });
  });
  app.openapi(getRoute, async (c) => {
    const { model } = c.req.valid("param");
    const entry = (await entries()).find((e) => e.id === model);
    if (!entry) {
      throw new ApiError("not_found", `The model "${model}" does not exist on this server`, {
        code: "model_not_found",
      });
    }
    return c.json(c.req.header("anthropic-version") ? anthropic(entry) : openAI(entry));
  });
}
