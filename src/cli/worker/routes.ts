/**
 * The `clinvk worker …` command group: flags and help here, implementations loaded only when a
 * command runs (`src/lazy_import.ts`), so no other command prepares the NATS client.
 * @module
 */
import { buildCommand, buildRouteMap } from "@stricli/core";
import { lazyImport } from "../../lazy_import.ts";
import type { AppContext } from "../context.ts";
import { parsePositiveInt } from "../parsers.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";

/** Flags of `clinvk worker`. */
export interface WorkerFlags {
  nats?: string;
  backends?: string;
  pool?: string;
  maxParallel?: number;
  id?: string;
  config?: string;
}

/** Flags of `clinvk worker list`. */
export interface WorkerListFlags {
  nats?: string;
  json?: boolean;
  config?: string;
}

const natsFlag = {
  kind: "parsed",
  parse: String,
  brief:
    "NATS server: nats://host:4222 or tls://host:4222 (default: CLINVK_DISPATCH, dispatch.url)",
  placeholder: "url",
  optional: true,
} as const;

const startCommand = buildCommand<WorkerFlags, [], AppContext>({
  loader: () =>
    lazyImport<typeof import("./worker_command.ts")>("src/cli/worker/worker_command.ts"),
  parameters: {
    flags: {
      nats: natsFlag,
      backends: {
        kind: "parsed",
        parse: String,
        brief: "Backends to take tasks of, comma-separated (default: worker.backends, else every " +
          "installed one)",
        placeholder: "list",
        optional: true,
      },
      pool: {
        kind: "parsed",
        parse: String,
        brief: "Take only the tasks of this pool (--dispatch … --pool NAME; default: worker.pool)",
        placeholder: "name",
        optional: true,
      },
      maxParallel: {
        kind: "parsed",
        parse: parsePositiveInt,
        brief: "Tasks run at once (default: worker.max_parallel, 4)",
        placeholder: "n",
        optional: true,
      },
      id: {
        kind: "parsed",
        parse: String,
        brief: "This worker's name on the queue (default: worker.id, else one kept in " +
          "$CLINVK_HOME/worker/id)",
        placeholder: "name",
        optional: true,
      },
      config: configFlag,
    },
  },
  docs: {
    brief: "Run tasks of runs started elsewhere (--dispatch), taken from a NATS JetStream queue",
    fullDescription: [
      "Takes tasks from the NATS server's work queue and runs each as a normal clinvk session in",
      "this machine's store, with this machine's backend logins: only backends installed here",
      "(or those named with --backends), in directories under worker.allowed_roots (default:",
      "where the worker was started). Tasks that continue a session held here come back here.",
      "",
      "  nats-server -js -sd /var/lib/nats        # once, somewhere all machines reach",
      "  clinvk worker --nats nats://nats.internal:4222 --max-parallel 8",
      "  clinvk parallel -f tasks.yaml --dispatch nats://nats.internal:4222   # on any machine",
      "",
      "SIGTERM or Ctrl-C: finish the running tasks, take no new ones; a second one stops them and",
      "gives them back to the queue. A worker killed outright loses nothing: its tasks go to",
      "another worker after worker.ack_wait_seconds. Details: README, Running across machines.",
      "Exit codes: 0 stopped, 2 usage, 3 no backend installed, 5 same worker id already",
      "running here, 7 NATS server unreachable.",
    ].join("\n"),
  },
});

const listCommand = buildCommand<WorkerListFlags, [], AppContext>({
  loader: async () =>
    (await lazyImport<typeof import("./worker_list_command.ts")>(
      "src/cli/worker/worker_list_command.ts",
    )).listWorkers,
  parameters: {
    flags: {
      nats: natsFlag,
      json: { ...jsonFlag, brief: "Print a JSON array" },
      config: configFlag,
    },
  },
  docs: { brief: "List the workers running on the NATS server: backends, pool, load" },
});

/** `clinvk worker`. */
export const workerRoutes = buildRouteMap({
  routes: { start: startCommand, list: listCommand },
  aliases: { ls: "list" },
  defaultCommand: "start",
  docs: { brief: "Run tasks of runs started on other machines (NATS JetStream workers)" },
});
