/**
 * `clinvk serve`: starts the server, prints where it listens, and on SIGINT/SIGTERM/SIGHUP stops
 * gracefully (a second signal stops the running turns at once).
 * @module
 */
import { resolve } from "node:path";
import { VERSION } from "../../version.ts";
import { startServer } from "../../server/start_server.ts";
import type { AppContext } from "../context.ts";
import { openRunStore } from "../runs/run_setup.ts";
import { homeDir, loadAppConfig, openStore } from "../services.ts";
import type { ServeFlags } from "./routes.ts";

/** Runs the server until it is stopped. */
export default async function serve(this: AppContext, flags: ServeFlags): Promise<void> {
  const { platform } = this;
  const { config } = await loadAppConfig(this, flags.config);
  const stderr = (text: string) => {
    try {
      platform.stderr.write(text);
    } catch {
      // stderr is gone (a closed terminal after SIGHUP): nowhere left to report, keep serving
      // or stopping as asked.
    }
  };
  const server = await startServer({
    platform,
    config,
    store: openStore(this, config),
    runs: openRunStore(this, config),
    home: homeDir(this),
    host: flags.host ?? config.server.host,
    port: flags.port ?? config.server.port,
    workdir: resolve(platform.cwd(), flags.workdir ?? config.server.workdir ?? "."),
    logFormat: flags.logFormat ?? config.server.log_format,
    write: stderr,
  });
  const removeListener = platform.server.onTerminate((signal) => {
    const running = server.runningTurns();
    const grace = config.server.shutdown_grace_seconds;
    server.stop();
    stderr(
      running > 0
        ? `clinvk serve: ${signal}: stopping; waiting up to ${grace} s for ${running} running turn(s) (send it again to stop them now)\n`
        : `clinvk serve: ${signal}: stopping\n`,
    );
  });
  const { url, keys, workdirs } = server;
  const keyText = keys.length === 0
    ? "none (loopback only; add one with clinvk serve keys add NAME)"
    : `${keys.length} (${keys.map((k) => k.name).join(", ")})`;
  const roots = workdirs.roots.length > 0 ? workdirs.roots.join(", ") : workdirs.defaultWorkdir;
  stderr(
    [
      `clinvk serve ${VERSION} listening on ${url}`,
      `  OpenAI      ${url}/v1  (chat/completions, responses, models)`,
      `  Anthropic   ${url}  (v1/messages)`,
      `  REST        ${url}/api/v1   OpenAPI ${url}/openapi.json`,
      `  health      ${url}/health, /ready, /metrics`,
      `  API keys    ${keyText}`,
      `  workdir     ${workdirs.defaultWorkdir} (requests may run in: ${roots})`,
      "Stop with Ctrl-C.",
      "",
    ].join("\n"),
  );
  try {
    await server.finished;
  } finally {
    removeListener();
  }
  stderr("clinvk serve: stopped\n");
}
