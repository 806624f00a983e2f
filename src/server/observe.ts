/**
 * The outermost middleware: the client's address, the 503 while shutting down, and — once the
 * response is complete, for streams at their last byte — one log line and the request metrics.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { ApiError } from "./api_error.ts";
import { errorResponse } from "./protocol.ts";
import type { ServerDeps } from "./server_deps.ts";
import type { ServerEnv } from "./server_env.ts";

const STREAMING = /^(text\/event-stream|application\/x-ndjson)/;

/** Calls `onEnd(aborted)` once `body` has been read to the end, failed or been cancelled. */
function watchEnd(
  body: ReadableStream<Uint8Array>,
  onEnd: (aborted: boolean) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = (aborted: boolean) => {
    if (ended) return;
    ended = true;
    onEnd(aborted);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end(false);
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        end(true);
      }
    },
    cancel(reason) {
      end(true);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** The middleware. */
export function observe(deps: ServerDeps): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const began = deps.now();
    const time = new Date(deps.platform.clock.now()).toISOString();
    const forwarded = c.req.header("x-forwarded-for") ?? null;
    c.set("client", deps.clientAddress(c.env.remoteAddress, forwarded));
    if (deps.draining()) {
      c.res = errorResponse(
        c,
        new ApiError("unavailable", "The server is shutting down; try again shortly", {
          code: "shutting_down",
          retryable: true,
          retryAfterSeconds: 5,
        }),
      );
    } else {
      await next();
    }
    const finish = (cancelled: boolean) => {
      // The client went away: it cancelled the stream, or closed the connection before the
      // answer (the request's signal aborts only then, with deno.json's no-legacy-abort).
      const aborted = cancelled || c.req.raw.signal.aborted;
      const matched = routePath(c, -1);
      const route = matched && matched !== "*" && matched !== "/*" ? matched : "unmatched";
      const status = c.res.status;
      const seconds = (deps.now() - began) / 1000;
      deps.metrics.requests.inc({ method: c.req.method, route, status: String(status) });
      deps.metrics.requestSeconds.observe({ method: c.req.method, route }, seconds);
      deps.log({
        time,
        request_id: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        route,
        status,
        duration_ms: Math.round(seconds * 10_000) / 10,
        client: c.get("client"),
        ...(c.get("key") ? { key: c.get("key") } : {}),
        ...(c.get("session") ? { session: c.get("session") } : {}),
        ...(c.get("backend") ? { backend: c.get("backend") } : {}),
        ...(aborted ? { aborted } : {}),
        ...(c.get("failure") ? { error: c.get("failure") } : {}),
      });
    };
    const body = c.res.body;
    if (body && STREAMING.test(c.res.headers.get("content-type") ?? "")) {
      c.res = new Response(watchEnd(body, finish), c.res);
    } else {
      finish(false);
    }
  };
}
