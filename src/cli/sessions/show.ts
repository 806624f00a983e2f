/**
 * `clinvk sessions show <id>`: the labelled view, or the full record with `--json`.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { sessionDetails } from "../../output/session_views.ts";
import type { AppContext } from "../context.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";

async function show(
  this: AppContext,
  flags: { json?: boolean; config?: string },
  id: string,
): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const session = await openStore(this, config).resolve(id);
  this.platform.stdout.write(
    flags.json
      ? JSON.stringify(session, null, 2) + "\n"
      : sessionDetails(session, this.platform.clock.now()),
  );
}

/** `sessions show`. */
export const showCommand = buildCommand({
  func: show,
  parameters: {
    flags: { json: { ...jsonFlag, brief: "Print the full session record" }, config: configFlag },
    positional: {
      kind: "tuple",
      parameters: [{ brief: "Session id or unique prefix", parse: String, placeholder: "id" }],
    },
  },
  docs: { brief: "Show one session (exits 4 when it does not exist)" },
});
