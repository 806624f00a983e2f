/**
 * API-key authentication and the per-minute request limit. A key comes as
 * `Authorization: Bearer <key>` (OpenAI SDKs) or `x-api-key: <key>` (Anthropic SDKs). Without
 * configured keys (allowed on loopback only) a request's key is `anonymous@<client address>`,
 * so limits count per client, and only requests addressed to a loopback name are answered.
 * Health, readiness and the OpenAPI document need no key; CORS preflights are answered before
 * this middleware runs.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./api_error.ts";
import { verifyApiKey } from "./api_keys.ts";
import { hostOfHeader, isLoopback } from "./loopback.ts";
import type { ServerDeps } from "./server_deps.ts";
import type { ServerEnv } from "./server_env.ts";

/** Paths anyone may read. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(["/health", "/ready", "/openapi.json"]);

function presentedKey(authorization: string | undefined, apiKey: string | undefined) {
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "")?.[1]?.trim();
  return bearer || apiKey?.trim() || undefined;
}

/**
 * Without keys only this machine may call, so a request must be addressed to a loopback name.
 * A web page the user opens can make its own domain resolve to 127.0.0.1 (DNS rebinding) and
 * then call the server as its own origin, past CORS — but its `Host` header still names that
 * domain. (A request without `Host`, HTTP/1.0, cannot come from a browser.)
 */
function refuseForeignHost(host: string | undefined): void {
  if (host === undefined || isLoopback(hostOfHeader(host))) return;
  throw new ApiError(
    "permission",
    `Refusing a request for host ${JSON.stringify(host.slice(0, 200))}: without API keys this ` +
      "server answers only requests addressed to 127.0.0.1, localhost or [::1] (add a key " +
      "with clinvk serve keys add NAME to reach it under another name)",
    { code: "host_not_allowed" },
  );
}

/** The middleware. */
export function authenticate(deps: ServerDeps): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    if (deps.keys.length === 0) refuseForeignHost(c.req.header("host"));
    if (PUBLIC_PATHS.has(c.req.path)) return await next();
    let key: string;
    if (deps.keys.length === 0) {
      key = `anonymous@${c.get("client")}`;
    } else {
      const presented = presentedKey(c.req.header("authorization"), c.req.header("x-api-key"));
      if (!presented) {
        throw new ApiError(
          "authentication",
          "No API key: send Authorization: Bearer <key> or x-api-key: <key>",
        );
      }
      const known = await verifyApiKey(deps.keys, presented);
      if (!known) throw new ApiError("authentication", "The API key is not valid on this server");
      key = known.name;
    }
    c.set("key", key);
    deps.limits.takeRequest(key);
    await next();
  };
}
