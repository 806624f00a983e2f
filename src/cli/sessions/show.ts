/**
 * `clinvk sessions show <id>`: the labelled view, or the full record with `--json`; with
 * `--turns` also the session's history (a `turns` array in JSON).
 * @module
 */
import { buildCommand } from "@stricli/core";
import type { AppContext } from "../context.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";

async function show(
  this: AppContext,
  flags: { json?: boolean; turns?: boolean; config?: string },
  id: string,
): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  const session = await store.resolve(id);
  const turns = flags.turns ? await store.turns(session.id) : undefined;
  const { stdout } = this.platform;
  if (flags.json) {
    stdout.write(JSON.stringify(turns ? { ...session, turns } : session, null, 2) + "\n");
    return;
  }
  const { sessionDetails } = await import("../../output/session_views.ts");
  stdout.write(sessionDetails(session, this.platform.clock.now()));
  if (turns) {
    const { turnsView } = await import("../../output/history_views.ts");
    stdout.write(turnsView(turns, stdout.columns() ?? 100));
  }
}

/** `sessions show`. */
export const showCommand = buildCommand({
  func: show,
  parameters: {
    flags: {
      json: { ...jsonFlag, brief: "Print the full session record" },
      turns: {
        kind: "boolean",
        brief: "Also print every turn: time, model, tokens, cost, prompt and answer",
        optional: true,
      },
      config: configFlag,
    },
    positional: {
      kind: "tuple",
      parameters: [{ brief: "Session id or unique prefix", parse: String, placeholder: "id" }],
    },
  },
  docs: { brief: "Show one session (exits 4 when it does not exist)" },
});
