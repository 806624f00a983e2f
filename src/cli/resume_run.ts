/**
 * What `clinvk resume` does, loaded only when it runs (see `resume_command.ts` for its flags).
 * @module
 */
import { ClinvkError, ExitCode, usageError } from "../errors.ts";
import { isResumable, type SessionRecord } from "../sessions/record.ts";
import type { SessionFilter, SessionStore } from "../sessions/store_types.ts";
import { resolveWorkdir } from "../turns/workdir.ts";
import type { AppContext } from "./context.ts";
import { pickSession } from "./picker.ts";
import { checkPrompt, readStdinText } from "./prompt_input.ts";
import { runInteractive } from "./interactive.ts";
import { loadAppConfig, openStore } from "./services.ts";
import type { ResumeFlags } from "./resume_command.ts";
import { buildTurnSetup, checkBackendFilter, runTurnCommand } from "./turn_flow.ts";

/** How many recent sessions the picker offers. */
const PICKER_LIMIT = 200;

/** Continues an earlier session (by id, `--last` or the picker), in its directory. */
export async function resumeCommand(
  this: AppContext,
  flags: ResumeFlags,
  ...args: string[]
): Promise<void> {
  if (flags.last && flags.interactive) {
    throw usageError("--last and --interactive cannot be combined", "Use one of them.");
  }
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  checkBackendFilter(config, flags.backend);
  const filter: SessionFilter = { resumable: true, backend: flags.backend };
  if (flags.here) filter.workdir = await resolveWorkdir(this.platform.fs, this.platform.cwd());

  let session: SessionRecord;
  let words = args;
  if (flags.last) {
    session = await latest(store, filter, flags);
  } else if (!flags.interactive && args.length > 0) {
    session = await store.resolve(args[0]!);
    words = args.slice(1);
    checkResumable(session);
  } else {
    session = await pick(this, store, filter);
  }

  const prompt = await promptFor(this, words);
  const setup = buildTurnSetup(this, config, flags, session.backend);
  if (prompt === undefined) {
    await runInteractive(this, setup, session, store);
    return;
  }
  await runTurnCommand(this, setup, { kind: "resume", sessionId: session.id }, prompt, store);
}

async function latest(
  store: SessionStore,
  filter: SessionFilter,
  flags: ResumeFlags,
): Promise<SessionRecord> {
  const [found] = await store.list({ ...filter, limit: 1 });
  if (found) return found;
  const scope = [flags.here ? "in this directory" : "", flags.backend ? `for ${flags.backend}` : ""]
    .filter(Boolean).join(" ");
  throw new ClinvkError(
    `No resumable session${scope ? " " + scope : ""}`,
    ExitCode.SessionNotFound,
    'Start one with clinvk "your prompt", or see clinvk sessions list.',
  );
}

async function pick(
  context: AppContext,
  store: SessionStore,
  filter: SessionFilter,
): Promise<SessionRecord> {
  const { stdin, stderr } = context.platform;
  if (!stdin.isTerminal() || !stderr.isTerminal()) {
    throw usageError(
      "No session id given, and the interactive picker needs a terminal",
      "Pass an id (clinvk resume <id>) or use clinvk resume --last.",
    );
  }
  const sessions = await store.list({ ...filter, limit: PICKER_LIMIT });
  if (sessions.length === 0) {
    throw new ClinvkError(
      "No resumable session to pick from",
      ExitCode.SessionNotFound,
      'Start one with clinvk "your prompt".',
    );
  }
  const chosen = await pickSession(context.platform, sessions, async (text) => {
    const hits = await store.search({ text, limit: 500 });
    return new Set(hits.map((hit) => hit.record.id));
  });
  if (!chosen) throw new ClinvkError("Cancelled", ExitCode.Interrupted);
  return chosen;
}

function checkResumable(session: SessionRecord): void {
  if (isResumable(session)) return;
  const why = session.status === "expired"
    ? "it has expired"
    : "the backend never reported its session id (the first turn did not get that far)";
  throw new ClinvkError(
    `Session ${session.id} cannot be resumed: ${why}`,
    ExitCode.SessionNotFound,
    'Start a new session with clinvk "your prompt".',
  );
}

/** The follow-up prompt: the words, or piped stdin; `undefined` means continue interactively. */
async function promptFor(context: AppContext, words: string[]): Promise<string | undefined> {
  if (words.length > 0) return checkPrompt(words.join(" "));
  if (context.platform.stdin.isTerminal()) return undefined;
  const piped = await readStdinText(context.platform.stdin);
  if (piped.trim() === "") {
    throw usageError(
      "No follow-up prompt given, and without a terminal the conversation cannot continue interactively",
      'Pass a prompt: clinvk resume <id> "next step".',
    );
  }
  return checkPrompt(piped);
}
