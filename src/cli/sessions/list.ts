/**
 * `clinvk sessions list`: the guide's table, newest first, or `--json`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { BackendName } from "../../backends/types.ts";
import type { SessionStatus } from "../../sessions/record.ts";
import { sessionListItem, sessionsTable } from "../../output/session_views.ts";
import type { AppContext } from "../context.ts";
import { parsePositiveInt, parseStatus } from "../parsers.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { backendFlag, configFlag, jsonFlag } from "../shared_flags.ts";

interface ListFlags {
  backend?: BackendName;
  status?: SessionStatus;
  tag?: string[];
  limit?: number;
  json?: boolean;
  config?: string;
}

async function list(this: AppContext, flags: ListFlags): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const sessions = await openStore(this, config).list({
    backend: flags.backend,
    status: flags.status,
    tags: flags.tag,
    limit: flags.limit,
  });
  const { stdout, clock } = this.platform;
  if (flags.json) {
    stdout.write(JSON.stringify(sessions.map(sessionListItem), null, 2) + "\n");
    return;
  }
  if (sessions.length === 0) {
    this.platform.stderr.write('No sessions. Start one with clinvk "your prompt".\n');
    return;
  }
  stdout.write(sessionsTable(sessions, clock.now(), stdout.columns()));
}

/** `sessions list`. */
export const listCommand = buildCommand({
  func: list,
  parameters: {
    flags: {
      backend: { ...backendFlag, brief: "Only this backend" },
      status: {
        kind: "parsed",
        parse: parseStatus,
        brief: "Only this status: created, active, completed, error, expired",
        placeholder: "status",
        optional: true,
      },
      tag: {
        kind: "parsed",
        parse: String,
        brief: "Only sessions with this tag (repeat for AND)",
        placeholder: "tag",
        optional: true,
        variadic: true,
      },
      limit: {
        kind: "parsed",
        parse: parsePositiveInt,
        brief: "Show at most this many",
        placeholder: "n",
        optional: true,
      },
      json: { ...jsonFlag, brief: "Print a JSON array of full session records" },
      config: configFlag,
    },
    aliases: { b: "backend", s: "status", t: "tag", n: "limit" },
  },
  docs: { brief: "List sessions, most recently used first" },
});
