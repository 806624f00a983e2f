/**
 * `clinvk sessions list`: the guide's table, newest first, or `--json`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { BackendName } from "../../backends/types.ts";
import type { SessionStatus } from "../../sessions/record.ts";
import type { SessionStore, UsageCell } from "../../sessions/store_types.ts";
import type { AppContext } from "../context.ts";
import { parsePositiveInt, parseStatus } from "../parsers.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { backendFlag, configFlag, jsonFlag, tagFilterFlag } from "../shared_flags.ts";

interface ListFlags {
  backend?: BackendName;
  status?: SessionStatus;
  tag?: string[];
  limit?: number;
  json?: boolean;
  cost?: boolean;
  config?: string;
}

/** Each session's recorded cost, from its turns. */
async function sessionCosts(store: SessionStore): Promise<Map<string, UsageCell>> {
  const cells = await store.usage({ by: "session" });
  return new Map(cells.map((cell) => [cell.key ?? "", cell]));
}

async function list(this: AppContext, flags: ListFlags): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  const { stdout, clock } = this.platform;
  if (flags.json && !flags.cost && flags.limit === undefined) {
    // The whole store: printed from the catalog's stored items, no record parsed.
    const filter = { backend: flags.backend, status: flags.status, tags: flags.tag };
    const decoder = new TextDecoder();
    for (const piece of await store.listJson(filter)) {
      if (stdout.writeBytes) stdout.writeBytes(piece);
      else stdout.write(decoder.decode(piece));
    }
    return;
  }
  const sessions = await store.list({
    backend: flags.backend,
    status: flags.status,
    tags: flags.tag,
    limit: flags.limit,
  });
  const costs = flags.cost ? await sessionCosts(store) : undefined;
  // Loaded here, not at start-up: the table's width measure costs tens of ms to load.
  const { sessionListItem, sessionsTable } = await import("../../output/session_views.ts");
  const { rowCost } = await import("../../output/usage_views.ts");
  if (flags.json) {
    const items = sessions.map((session) => {
      const item = sessionListItem(session);
      if (!costs) return item;
      const cost = costs.get(session.id);
      return {
        ...item,
        cost_usd: cost && cost.unknown_cost_turns === cost.turns ? null : cost?.cost_usd ?? 0,
        cost_complete: (cost?.unknown_cost_turns ?? 0) === 0,
      };
    });
    stdout.write(JSON.stringify(items, null, 2) + "\n");
    return;
  }
  if (sessions.length === 0) {
    this.platform.stderr.write('No sessions. Start one with clinvk "your prompt".\n');
    return;
  }
  stdout.write(
    sessionsTable(
      sessions,
      clock.now(),
      stdout.columns(),
      costs && ((id) => {
        const cost = costs.get(id);
        return cost ? rowCost(cost) : "-";
      }),
    ),
  );
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
      tag: tagFilterFlag,
      limit: {
        kind: "parsed",
        parse: parsePositiveInt,
        brief: "Show at most this many",
        placeholder: "n",
        optional: true,
      },
      json: { ...jsonFlag, brief: "Print a JSON array of full session records" },
      cost: {
        kind: "boolean",
        brief: "Add a COST column: what the recorded turns cost (cost_usd in JSON)",
        optional: true,
      },
      config: configFlag,
    },
    aliases: { b: "backend", s: "status", t: "tag", n: "limit" },
  },
  docs: { brief: "List sessions, most recently used first" },
});
