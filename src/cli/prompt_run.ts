/**
 * What `clinvk [prompt]` does, loaded only when it runs (see `prompt_command.ts` for its flags).
 * @module
 */
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import { resolveWorkdir } from "../turns/workdir.ts";
import type { AppContext } from "./context.ts";
import type { PromptFlags } from "./prompt_command.ts";
import { readPrompt } from "./prompt_input.ts";
import { loadAppConfig, openStore } from "./services.ts";
import { buildTurnSetup, checkBackendFilter, runTurnCommand } from "./turn_flow.ts";

/** Runs a prompt in a new session, or continues the latest one with `-c`. */
export async function promptCommand(
  this: AppContext,
  flags: PromptFlags,
  ...words: string[]
): Promise<void> {
  if (flags.ephemeral && flags.continue) {
    throw usageError(
      "--ephemeral and -c/--continue cannot be combined",
      "An ephemeral run keeps no session to continue; drop one of them.",
    );
  }
  const prompt = await readPrompt(words, this.platform.stdin);
  if (prompt === undefined) {
    throw usageError(
      "No prompt given",
      'Pass one (clinvk "fix the bug"), pipe it on stdin, or run "clinvk --help".',
    );
  }
  const { config } = await loadAppConfig(this, flags.config, { cache: !flags.ephemeral });
  const store = openStore(this, config);
  if (flags.continue) {
    checkBackendFilter(config, flags.backend);
    const [latest] = await store.list({
      resumable: true,
      limit: 1,
      backend: flags.backend,
    });
    if (!latest) {
      throw new ClinvkError(
        `No session to continue${flags.backend ? ` for ${flags.backend}` : ""}`,
        ExitCode.SessionNotFound,
        'Start one with clinvk "your prompt".',
      );
    }
    // The session's backend decides the settings (its model, not the default backend's).
    const setup = buildTurnSetup(this, config, flags, latest.backend);
    await runTurnCommand(this, setup, { kind: "resume", sessionId: latest.id }, prompt, store);
    return;
  }
  const workdir = await resolveWorkdir(this.platform.fs, this.platform.cwd(), flags.workdir);
  const setup = buildTurnSetup(this, config, flags);
  const backend = setup.backend;
  const target = flags.ephemeral
    ? { kind: "ephemeral" as const, backend, workdir }
    : { kind: "new" as const, backend, workdir };
  await runTurnCommand(this, setup, target, prompt, store);
}
