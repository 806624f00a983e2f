/**
 * What `clinvk sessions fork` does, loaded only when it runs (see `fork.ts` for its flags).
 * @module
 */
import { forkableSession, forkSession } from "../../turns/engine.ts";
import { type AppContext, warn } from "../context.ts";
import { checkPrompt } from "../prompt_input.ts";
import { loadAppConfig, openStore } from "../services.ts";
import type { TurnFlags } from "../shared_flags.ts";
import { buildTurnSetup, runTurnCommand } from "../turn_flow.ts";

/**
 * Forks a session, and runs the fork's first turn when a prompt is given. Whether the session
 * can be forked is the engine's to say (`forkSession`, `runTurn`), as for the HTTP server.
 */
export async function fork(this: AppContext, flags: TurnFlags, ...args: string[]): Promise<void> {
  const [id, ...words] = args as [string, ...string[]];
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  const parent = await store.resolve(id);
  if (words.length === 0) {
    if (flags.dryRun) {
      await forkableSession({ config, store }, parent.id);
      this.platform.stdout.write(
        `# would create a fork of ${parent.id}; nothing runs until its first prompt\n`,
      );
      return;
    }
    const record = await forkSession(
      { platform: this.platform, config, store, warn: (m) => warn(this, m) },
      { sessionId: parent.id, model: flags.model },
    );
    if (flags.outputFormat === "json") {
      this.platform.stdout.write(JSON.stringify(record, null, 2) + "\n");
    } else {
      this.platform.stdout.write(record.id + "\n");
      this.platform.stderr.write(
        `Forked ${parent.id} into ${record.id}. Continue it with: clinvk resume ${record.id} "your prompt"\n`,
      );
    }
    return;
  }
  const prompt = checkPrompt(words.join(" "));
  await runTurnCommand(
    this,
    buildTurnSetup(this, config, flags, parent.backend),
    { kind: "fork", sessionId: parent.id },
    prompt,
    store,
  );
}
