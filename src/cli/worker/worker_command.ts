/**
 * `clinvk worker`: starts a worker (`src/dispatch/nats/worker.ts`), prints what it offers, logs
 * one line per task on stderr, and stops on SIGINT/SIGTERM/SIGHUP — gracefully the first time,
 * at once the second.
 * @module
 */
import { startWorker } from "../../dispatch/nats/worker.ts";
import { workerId } from "../../dispatch/nats/worker_home.ts";
import { workerRoots } from "../../dispatch/nats/worker_policy.ts";
import { checkName } from "../../dispatch/nats/subjects.ts";
import { ExitSilently } from "../../errors.ts";
import { oneLine } from "../../output/safe_text.ts";
import { signalExitCode, type StopSignal } from "../../platform/stop_signals.ts";
import type { AppContext } from "../context.ts";
import { warn } from "../context.ts";
import { homeDir, loadAppConfig, openStore } from "../services.ts";
import type { WorkerFlags } from "./routes.ts";
import { natsAddress, offeredBackends } from "./worker_setup.ts";

/** Runs a worker until it is stopped. */
export default async function worker(this: AppContext, flags: WorkerFlags): Promise<void> {
  const { platform } = this;
  const { config } = await loadAppConfig(this, flags.config);
  const url = natsAddress(platform, config, flags.nats);
  const offered = await offeredBackends(platform, config, flags.backends);
  const poolName = flags.pool ?? config.worker.pool;
  const pool = poolName ? checkName(poolName, "pool name") : undefined;
  const home = homeDir(this);
  const id = await workerId(platform.fs, home, flags.id ?? config.worker.id);
  const policy = await workerRoots(platform.fs, platform.cwd(), config.worker.allowed_roots);
  const maxParallel = flags.maxParallel ?? config.worker.max_parallel;
  const ackWaitSeconds = config.worker.ack_wait_seconds;
  const say = (line: string) => platform.stderr.write(`clinvk worker ${id}: ${oneLine(line)}\n`);
  const running = await startWorker({
    deps: {
      platform,
      config,
      store: openStore(this, config),
      warn: (message) => warn(this, message),
    },
    home,
    url,
    id,
    backends: offered.backends,
    pool,
    maxParallel,
    ackWaitMs: ackWaitSeconds * 1000,
    policy,
    say,
  });
  const left = offered.missing.map((b) => `${b.name}: ${b.reason}`);
  platform.stderr.write(
    [
      `clinvk worker ${id} connected to ${running.address}`,
      `  backends    ${offered.backends.join(", ")}${
        left.length ? ` (not ${left.join("; ")})` : ""
      }`,
      `  pool        ${pool ?? "- (tasks sent without --pool)"}`,
      `  tasks       up to ${maxParallel} at once; given to another worker after ${ackWaitSeconds} s of silence`,
      `  workdirs    ${policy.roots.join(", ")} (and below)`,
      `  subjects    ${running.subjects.join(", ")}`,
      "Stop with Ctrl-C: running tasks finish first (press it again to stop them now).",
      "",
    ].map(oneLine).join("\n") + "\n",
  );
  let forced: StopSignal | undefined;
  const removeHandler = platform.onInterrupt((signal) => {
    if (forced) return;
    const count = running.running();
    if (stopping) {
      forced = signal;
      say(`${signal}: stopping ${count} running task(s) now; they go back to the queue`);
      running.stop("now", signal);
      return;
    }
    stopping = true;
    say(
      count > 0
        ? `${signal}: finishing ${count} running task(s), taking no new ones (send it again to stop them now)`
        : `${signal}: stopping`,
    );
    running.stop("drain");
  });
  let stopping = false;
  try {
    await running.done;
  } finally {
    removeHandler();
  }
  say("stopped");
  // Forced off, it exits as processes stopped by that signal do (its tasks went back).
  if (forced) throw new ExitSilently(signalExitCode(forced));
}
