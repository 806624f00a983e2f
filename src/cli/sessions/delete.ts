/**
 * `clinvk sessions delete <id>...`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { parseIdInput } from "../../sessions/ids.ts";
import type { AppContext } from "../context.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { configFlag } from "../shared_flags.ts";

async function deleteSessions(
  this: AppContext,
  flags: { config?: string },
  ...ids: string[]
): Promise<void> {
  // Every id is checked and resolved before anything is deleted, so a typo in the middle of a
  // list deletes nothing rather than the ids before it.
  for (const id of ids) parseIdInput(id);
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  const targets = new Set<string>();
  for (const id of ids) targets.add((await store.resolve(id)).id);
  for (const id of targets) {
    await store.delete(id);
    this.platform.stderr.write(`Deleted session ${id}\n`);
  }
}

/** `sessions delete`. */
export const deleteCommand = buildCommand({
  func: deleteSessions,
  parameters: {
    flags: { config: configFlag },
    positional: {
      kind: "array",
      parameter: { brief: "Session ids or unique prefixes", parse: String, placeholder: "id" },
      minimum: 1,
    },
  },
  docs: {
    brief: "Delete sessions (exits 5 when one is in use)",
    fullDescription: [
      "Deletes the given sessions. Every id is checked first: when one is invalid, unknown or",
      "ambiguous, nothing is deleted. Exits 5 when a session is in use by another clinvk.",
    ].join("\n"),
  },
});
