/**
 * The HTTP side of the platform: listening (Deno.serve), the signals that stop a server, and
 * the process's memory, for `clinvk serve`. Everything else receives a {@linkcode ServerHost}.
 * @module
 */

/** Where and how to listen. */
export interface ListenOptions {
  hostname: string;
  /** 0 picks a free port (see {@linkcode ListeningServer.port}). */
  port: number;
}

/** What the handler learns about the connection besides the request. */
export interface ConnectionInfo {
  /** The peer's IP address (the proxy's, behind a proxy). */
  remoteAddress: string;
}

/** Answers one request. */
export type HttpHandler = (
  request: Request,
  info: ConnectionInfo,
) => Response | Promise<Response>;

/** A server that is listening. */
export interface ListeningServer {
  readonly hostname: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Resolves once the server has stopped and every response has finished. */
  readonly finished: Promise<void>;
  /** Stops accepting connections; resolves when the running responses have finished. */
  shutdown(): Promise<void>;
}

/** The platform pieces `clinvk serve` needs. */
export interface ServerHost {
  /**
   * Starts listening. Throws Deno's own errors when it cannot (`AddrInUse`, `NotCapable` for a
   * denied `--allow-net`), before any request is served.
   */
  listen(options: ListenOptions, handler: HttpHandler): ListeningServer;
  /**
   * Calls `handler` on SIGINT, SIGTERM and SIGHUP (the terminal closed, ssh dropped: left to
   * Deno's default, the process would die at once and leave running backends, each in its own
   * process group, behind); returns a function that stops listening for them.
   */
  onTerminate(handler: (signal: TerminateSignal) => void): () => void;
  /** Resident set size of this process, in bytes. */
  residentMemoryBytes(): number;
}

const TERMINATING = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The signals that stop a server. */
export type TerminateSignal = typeof TERMINATING[number];

/** The real {@linkcode ServerHost}, on `Deno.serve`. */
export function denoServerHost(): ServerHost {
  return {
    listen(options, handler) {
      const server = Deno.serve({
        hostname: options.hostname,
        port: options.port,
        // Deno prints "Listening on …" by default; the serve command prints its own banner.
        onListen: () => {},
      }, (request, info) => {
        const addr = info.remoteAddr as Deno.NetAddr;
        return handler(request, { remoteAddress: addr.hostname });
      });
      const addr = server.addr as Deno.NetAddr;
      return {
        hostname: addr.hostname,
        port: addr.port,
        finished: server.finished,
        shutdown: () => server.shutdown(),
      };
    },
    onTerminate(handler) {
      // Windows has no SIGTERM listener; SIGINT (Ctrl-C) and SIGBREAK are what it delivers.
      const signals = Deno.build.os === "windows" ? (["SIGINT"] as const) : TERMINATING;
      const listeners = signals.map((signal) => {
        const listener = () => handler(signal);
        Deno.addSignalListener(signal, listener);
        return () => Deno.removeSignalListener(signal, listener);
      });
      return () => listeners.forEach((remove) => remove());
    },
    residentMemoryBytes: () => Deno.memoryUsage().rss,
  };
}
