/**
 * `clinvk sessions delete <id>...`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { AppContext } from "../context.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { configFlag } from "../shared_flags.ts";

async function deleteSessions(
  this: AppContext,
  flags: { config?: string },
  ...ids: string[]
): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  for (const id of ids) {
    const session = await store.resolve(id);
    await store.delete(session.id);
    this.platform.stderr.write(`Deleted session ${session.id}\n`);
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
  docs: { brief: "Delete sessions (exits 5 when one is in use)" },
});
