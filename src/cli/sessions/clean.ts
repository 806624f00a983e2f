/**
 * `clinvk sessions clean [--older-than 30d] [--dry-run]`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { DAY_MS } from "../../sessions/time.ts";
import type { AppContext } from "../context.ts";
import { parseDuration } from "../parsers.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";

interface CleanFlags {
  olderThan?: number;
  dryRun?: boolean;
  json?: boolean;
  config?: string;
}

async function clean(this: AppContext, flags: CleanFlags): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const { stdout, stderr, clock } = this.platform;
  const days = config.session.retention_days;
  if (flags.olderThan === undefined && days === 0) {
    stderr.write(
      "Retention is off (session.retention_days is 0), so nothing is old enough to clean. " +
        "Pass --older-than 30d to clean anyway.\n",
    );
    if (flags.json) stdout.write("[]\n");
    return;
  }
  const now = clock.now();
  const cutoff = new Date(now.getTime() - (flags.olderThan ?? days * DAY_MS));
  const dryRun = flags.dryRun ?? false;
  const removed = await openStore(this, config).clean(cutoff, { dryRun });
  if (flags.json) {
    stdout.write(JSON.stringify(removed.map((s) => s.id)) + "\n");
    return;
  }
  if (removed.length === 0) {
    stderr.write(`No session was last used before ${cutoff.toISOString()}.\n`);
    return;
  }
  const { sessionsTable } = await import("../../output/session_views.ts");
  stdout.write(sessionsTable(removed, now, stdout.columns()));
  stderr.write(
    `${dryRun ? "Would delete" : "Deleted"} ${removed.length} session${
      removed.length === 1 ? "" : "s"
    } last used before ${cutoff.toISOString()}.\n`,
  );
}

/** `sessions clean`. */
export const cleanCommand = buildCommand({
  func: clean,
  parameters: {
    flags: {
      olderThan: {
        kind: "parsed",
        parse: parseDuration,
        brief:
          "Delete sessions not used within this period, e.g. 30d, 12h (default: retention_days)",
        placeholder: "duration",
        optional: true,
      },
      dryRun: {
        kind: "boolean",
        brief: "List what would be deleted; delete nothing",
        optional: true,
      },
      json: { ...jsonFlag, brief: "Print the ids as a JSON array" },
      config: configFlag,
    },
  },
  docs: { brief: "Delete sessions older than the retention period (sessions in use are kept)" },
});
