/**
 * `clinvk sessions tag <id> <tag>... [--remove]`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { usageError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";

function checkTag(tag: string): string {
  const trimmed = tag.trim();
  if (trimmed === "" || [...trimmed].some((char) => char < " ")) {
    throw usageError(
      `Invalid tag "${tag}": tags must be non-empty text without control characters`,
    );
  }
  return trimmed;
}

async function tag(
  this: AppContext,
  flags: { remove?: boolean; json?: boolean; config?: string },
  ...args: string[]
): Promise<void> {
  const [id, ...tags] = args as [string, ...string[]];
  const wanted = tags.map(checkTag);
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  const session = await store.resolve(id);
  // Read-modify-write under the store lock: tags added by other processes meanwhile survive.
  const updated = await store.update(session.id, (current) => ({
    ...current,
    tags: flags.remove
      ? current.tags.filter((t) => !wanted.includes(t))
      : [...new Set([...current.tags, ...wanted])],
  }));
  this.platform.stdout.write(
    flags.json
      ? JSON.stringify({ id: updated.id, tags: updated.tags }) + "\n"
      : `${updated.id}: ${updated.tags.length > 0 ? updated.tags.join(", ") : "(no tags)"}\n`,
  );
}

/** `sessions tag`. */
export const tagCommand = buildCommand({
  func: tag,
  parameters: {
    flags: {
      remove: { kind: "boolean", brief: "Remove the tags instead of adding them", optional: true },
      json: { ...jsonFlag, brief: "Print the resulting tags as JSON" },
      config: configFlag,
    },
    positional: {
      kind: "array",
      parameter: {
        brief: "Session id (or unique prefix), then one or more tags",
        parse: String,
        placeholder: "id-then-tags",
      },
      minimum: 2,
    },
  },
  docs: { brief: "Add tags to a session (--remove to drop them)" },
});
