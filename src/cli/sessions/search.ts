/**
 * `clinvk sessions search <words…>`: full-text search over every session's title, prompts,
 * answers and tags, best match first, with the matching words highlighted.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { BackendName } from "../../backends/types.ts";
import { resolveWorkdir } from "../../turns/workdir.ts";
import { usageError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { parseDuration, parsePositiveInt } from "../parsers.ts";
import { loadAppConfig, openStore, settingsFor, useColor } from "../services.ts";
import { backendFlag, configFlag, jsonFlag, tagFilterFlag } from "../shared_flags.ts";

interface SearchFlags {
  backend?: BackendName;
  tag?: string[];
  here?: boolean;
  since?: number;
  limit?: number;
  json?: boolean;
  config?: string;
}

async function search(this: AppContext, flags: SearchFlags, ...words: string[]): Promise<void> {
  const text = words.join(" ");
  if (!/[\p{L}\p{N}]/u.test(text)) {
    throw usageError(
      "Nothing to search for: give at least one word",
      'e.g. clinvk sessions search "auth bug".',
    );
  }
  const { config } = await loadAppConfig(this, flags.config);
  const { platform } = this;
  const now = platform.clock.now();
  const hits = await openStore(this, config).search({
    text,
    backend: flags.backend,
    tags: flags.tag,
    workdir: flags.here ? await resolveWorkdir(platform.fs, platform.cwd()) : undefined,
    sinceMs: flags.since === undefined ? undefined : now.getTime() - flags.since,
    limit: flags.limit ?? 20,
  });
  const { searchItem, searchTable } = await import("../../output/history_views.ts");
  if (flags.json) {
    platform.stdout.write(JSON.stringify(hits.map(searchItem), null, 2) + "\n");
    return;
  }
  if (hits.length === 0) {
    platform.stderr.write(`No session matches "${text}".\n`);
    return;
  }
  platform.stdout.write(
    searchTable(
      hits,
      now,
      useColor(this, settingsFor(this, config, {})),
      platform.stdout.columns(),
    ),
  );
}

/** `sessions search`. */
export const searchCommand = buildCommand({
  func: search,
  parameters: {
    flags: {
      backend: { ...backendFlag, brief: "Only this backend" },
      tag: tagFilterFlag,
      here: { kind: "boolean", brief: "Only sessions of the current directory", optional: true },
      since: {
        kind: "parsed",
        parse: parseDuration,
        brief: "Only sessions used within this long (e.g. 7d, 12h)",
        placeholder: "duration",
        optional: true,
      },
      limit: {
        kind: "parsed",
        parse: parsePositiveInt,
        brief: "Show at most this many (default 20)",
        placeholder: "n",
        optional: true,
      },
      json: { ...jsonFlag, brief: "Print a JSON array of hits" },
      config: configFlag,
    },
    aliases: { b: "backend", t: "tag", n: "limit" },
    positional: {
      kind: "array",
      parameter: {
        brief: "Words to find (each as a prefix; all must match)",
        parse: String,
        placeholder: "word",
      },
      minimum: 1,
    },
  },
  docs: { brief: "Search prompts, answers, titles and tags of every session" },
});
