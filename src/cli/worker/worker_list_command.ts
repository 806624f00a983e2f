/**
 * `clinvk worker list`: the workers advertising themselves on the NATS server.
 * @module
 */
import { connectNats } from "../../dispatch/nats/connection.ts";
import { openQueue } from "../../dispatch/nats/streams.ts";
import { liveAds } from "../../dispatch/nats/worker_ad.ts";
import { relativeTime } from "../../output/relative_time.ts";
import { renderTable } from "../../output/table.ts";
import type { AppContext } from "../context.ts";
import { warn } from "../context.ts";
import { loadAppConfig } from "../services.ts";
import type { WorkerListFlags } from "./routes.ts";
import { natsAddress } from "./worker_setup.ts";

/** Prints the live workers: `ID BACKENDS POOL RUNNING STARTED`, or `--json`. */
export async function listWorkers(this: AppContext, flags: WorkerListFlags): Promise<void> {
  const { platform } = this;
  const { config } = await loadAppConfig(this, flags.config);
  const link = await connectNats({
    url: natsAddress(platform, config, flags.nats),
    config,
    env: platform.env,
    fs: platform.fs,
    name: "clinvk worker list",
    onStatus: (line) => warn(this, line),
  });
  try {
    const queue = await openQueue(link.nc);
    const now = platform.clock.now();
    const ads = await liveAds(queue.workers, now);
    if (flags.json) {
      platform.stdout.write(JSON.stringify(ads, null, 2) + "\n");
      return;
    }
    if (ads.length === 0) {
      platform.stderr.write(
        `No worker is running on ${link.address.display}. Start one with clinvk worker --nats URL.\n`,
      );
      return;
    }
    const rows = ads.map((ad) => [
      ad.id,
      ad.backends.join(",") || "-",
      ad.pool ?? "-",
      `${ad.running}/${ad.max_parallel}${ad.draining ? " (stopping)" : ""}`,
      relativeTime(new Date(ad.started_at), now),
    ]);
    platform.stdout.write(
      renderTable(
        ["ID", "BACKENDS", "POOL", "RUNNING", "STARTED"],
        rows,
        platform.stdout.columns(),
      ),
    );
  } finally {
    await link.nc.close();
  }
}
