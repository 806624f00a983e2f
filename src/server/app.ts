/**
 * The server's application: middleware in order (request id, log and metrics, CORS, auth and
 * the per-minute limit, body size limit), every route, the OpenAPI document built from the
 * same schemas the routes validate with, and one error handler that answers in the protocol of
 * the route.
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { VERSION } from "../version.ts";
import { messagesRoutes } from "./anthropic/messages.ts";
import { ApiError, type ErrorKind } from "./api_error.ts";
import { authenticate } from "./auth.ts";
import { observe } from "./observe.ts";
import { chatCompletionsRoute } from "./openai/chat_completions.ts";
import { modelsRoutes } from "./openai/models.ts";
import { responsesRoute } from "./openai/responses.ts";
import { operationsRoutes } from "./operations.ts";
import { errorResponse } from "./protocol.ts";
import { backendsRoute } from "./rest/backends.ts";
import { promptRoutes } from "./rest/prompt.ts";
import { runsRoutes } from "./rest/runs.ts";
import { sessionsRoutes } from "./rest/sessions.ts";
import type { ServerDeps } from "./server_deps.ts";
import type { ServerEnv } from "./server_env.ts";
import { errorFromThrown } from "./turn_errors.ts";

/** Response headers a browser client may read. */
const EXPOSED_HEADERS = [
  "X-Clinvk-Session",
  "X-Request-Id",
  "request-id",
  "Retry-After",
  "x-should-retry",
];

/** The kinds of the HTTP errors Hono itself raises (malformed JSON, …). */
function kindOfStatus(status: number): ErrorKind {
  if (status === 401) return "authentication";
  if (status === 403) return "permission";
  if (status === 404) return "not_found";
  if (status === 413) return "too_large";
  return status >= 500 ? "internal" : "invalid_request";
}

/** A zod validation failure as one sentence naming the fields at fault. */
function validationMessage(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return `Invalid request: ${parts.join("; ")}`;
}

/** Builds the app on `deps`; `startedAt` dates the model objects. */
export function createApp(deps: ServerDeps, startedAt: Date): OpenAPIHono<ServerEnv> {
  const app = new OpenAPIHono<ServerEnv>({
    defaultHook(result) {
      if (!result.success) {
        const issues = result.error.issues;
        throw new ApiError("invalid_request", validationMessage(issues), {
          param: issues[0]?.path.map(String).join("."),
        });
      }
    },
  });
  const origins = deps.config.server.cors_origins;
  app.use(requestId());
  app.use(observe(deps));
  // Before authentication, so that preflights (which carry no key) are never refused.
  app.use(cors({
    origin: (origin) => origins.includes("*") ? "*" : origins.includes(origin) ? origin : null,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  }));
  app.use(authenticate(deps));
  app.use(bodyLimit({
    maxSize: deps.config.server.max_body_bytes,
    onError: () => {
      throw new ApiError(
        "too_large",
        `The request body is larger than this server accepts (${deps.config.server.max_body_bytes} bytes)`,
        { code: "request_too_large" },
      );
    },
  }));

  chatCompletionsRoute(app, deps);
  responsesRoute(app, deps);
  modelsRoutes(app, deps, startedAt);
  messagesRoutes(app, deps);
  promptRoutes(app, deps);
  sessionsRoutes(app, deps);
  runsRoutes(app, deps);
  backendsRoute(app, deps);
  operationsRoutes(app, deps);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "clinvk serve",
      version: VERSION,
      description: "OpenAI- and Anthropic-compatible APIs and clinvk's REST API over the " +
        "agent CLIs installed on the server; every turn is a clinvk session.",
    },
  });

  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`, {
        code: "route_not_found",
      }),
    )
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException && !(error.cause instanceof ApiError)) {
      const status = error.status;
      return errorResponse(
        c,
        new ApiError(kindOfStatus(status), error.message || `HTTP ${status}`),
      );
    }
    const apiError = errorFromThrown(error instanceof HTTPException ? error.cause : error);
    if (apiError.kind === "internal") {
      deps.warn(`${c.req.method} ${c.req.path}: ${apiError.message}`);
    }
    return errorResponse(c, apiError);
  });
  return app;
}
