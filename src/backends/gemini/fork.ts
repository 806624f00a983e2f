/**
 * Forking a Gemini session, which the Gemini CLI cannot do itself (samples/README.md
 * "Forking a Gemini session", verified with Gemini CLI 0.61.0): copy the parent's chat file
 * next to it under the new id, then `gemini --resume <new id>` continues with the parent's
 * history while parent and fork stay independent.
 *
 * This touches Gemini's internal storage format, so it checks what it finds and refuses
 * rather than guess.
 * @module
 */
import { join } from "node:path";
import { ClinvkError, ExitCode } from "../../errors.ts";
import { errorName } from "../../platform/fs_errors.ts";
import type { Fs } from "../../platform/types.ts";
import { asObject } from "../shared/json_value.ts";
import { type ChatFile, findChats, firstLine, GEMINI_SESSION_ID, projectsRoot } from "./chats.ts";

/** What {@linkcode forkGeminiChat} needs. */
export interface ForkGeminiChatOptions {
  fs: Pick<
    Fs,
    "readDir" | "readTextFile" | "open" | "rename" | "remove" | "lstat" | "stat" | "chmod"
  >;
  /** `$GEMINI_CLI_HOME`, or `$HOME` when unset: the folder that holds `.gemini/`. */
  geminiHome: string;
  /** The session's working directory (Gemini files chats per project directory). */
  workdir: string;
  /** Gemini session id to fork from. */
  parentId: string;
  /** Gemini session id of the fork: a fresh UUID (`crypto.randomUUID()`). */
  newId: string;
  /** Current time, for the new file's name. */
  now: Date;
}

/**
 * Copies the parent's chat file — the one whose first line has `sessionId === parentId` and
 * that holds the conversation (a message-less duplicate Gemini leaves after a later-minute
 * resume is never the one; when several projects have one, the project whose `.project_root`
 * is `workdir` wins) — to `session-<YYYY-MM-DDTHH-MM>-<new id8>.jsonl` in the same folder, with
 * only the first line's `sessionId` replaced by `newId`. The copy keeps the original's mode, is
 * written under a temporary name, flushed to disk and renamed, so Gemini never sees half a file.
 *
 * Returns the new file's path. Throws a {@linkcode ClinvkError} (exit 1) when no chat file is
 * found or its first line does not carry the parent's id; a denied Deno permission is thrown as
 * is (exit 2, naming the flag).
 *
 * @example
 * ```ts ignore
 * const path = await forkGeminiChat({
 *   fs: Deno, geminiHome: "/home/ada", workdir: "/src/app",
 *   parentId: "84286d75-49b7-4c41-9e63-8c46c63654a2", newId: crypto.randomUUID(), now: new Date(),
 * });
 * // then: gemini -p P --resume <newId>
 * ```
 */
export async function forkGeminiChat(options: ForkGeminiChatOptions): Promise<string> {
  const { fs, parentId, newId } = options;
  for (const id of [parentId, newId]) {
    if (!GEMINI_SESSION_ID.test(id)) {
      throw forkError(parentId, `"${id}" is not a Gemini session id`);
    }
  }
  const { verified, mismatched } = await findChats(
    fs,
    options.geminiHome,
    options.workdir,
    parentId,
  );
  const withMessages = verified.filter((chat) => chat.hasMessages);
  if (withMessages.length === 0) {
    const wrongFile = mismatched[0];
    const reason = verified.length > 0
      ? `its chat file ${verified[0]!.path} holds no messages`
      : wrongFile !== undefined
      ? `the chat file ${wrongFile} does not start with that session id ` +
        "(Gemini's format may have changed); refusing to fork"
      : `no chat file session-*-${parentId.slice(0, 8)}.jsonl under ${
        projectsRoot(options.geminiHome)
      }`;
    throw forkError(parentId, reason);
  }
  const preferred = withMessages.some((c) => c.inWorkdir)
    ? withMessages.filter((c) => c.inWorkdir)
    : withMessages;
  // Of several files that hold the conversation, the newest name is the latest start.
  const parent = preferred.sort((a, b) => a.name.localeCompare(b.name)).at(-1) as ChatFile;

  const target = join(
    parent.chatsDir,
    `session-${fileStamp(options.now)}-${newId.slice(0, 8)}.jsonl`,
  );
  if (await exists(fs, target)) throw forkError(parentId, `${target} already exists`);
  const temp = join(parent.chatsDir, `.clinvk-fork-${newId}.tmp`);
  const mode = ((await fs.stat(parent.path)).mode ?? 0o600) & 0o777;
  try {
    await writeDurably(fs, temp, withFirstSessionId(parent.text, parentId, newId), mode);
    await fs.rename(temp, target);
  } catch (error) {
    await fs.remove(temp).catch(() => {});
    if (errorName(error) === "NotCapable" || errorName(error) === "PermissionDenied") throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw forkError(parentId, `cannot write ${target}: ${why}`);
  }
  return target;
}

/** Writes a new file with exactly `mode` (whatever the umask) and flushes it to disk. */
async function writeDurably(
  fs: ForkGeminiChatOptions["fs"],
  path: string,
  text: string,
  mode: number,
): Promise<void> {
  const file = await fs.open(path, { write: true, createNew: true, mode });
  try {
    const bytes = new TextEncoder().encode(text);
    for (let written = 0; written < bytes.length;) {
      written += await file.write(bytes.subarray(written));
    }
    await file.sync();
  } finally {
    file.close();
  }
  await fs.chmod(path, mode);
}

/**
 * `text` with the first line's `sessionId` set to `newId`, everything else byte for byte
 * (later lines also mention the parent id; Gemini keys the chat by the first line only).
 */
function withFirstSessionId(text: string, parentId: string, newId: string): string {
  const line = firstLine(text);
  const rest = text.slice(line.length);
  const pattern = new RegExp(`("sessionId"\\s*:\\s*)"${parentId.replaceAll("-", "\\-")}"`);
  if (pattern.test(line)) return line.replace(pattern, `$1"${newId}"`) + rest;
  // The id is written in an unusual way (e.g. escaped): rewrite the line as JSON.
  const header = asObject(JSON.parse(line)) ?? {};
  return JSON.stringify({ ...header, sessionId: newId }) + rest;
}

/** `YYYY-MM-DDTHH-MM` in UTC, the time stamp Gemini puts in chat file names. */
function fileStamp(now: Date): string {
  return now.toISOString().slice(0, 16).replace(":", "-");
}

async function exists(fs: ForkGeminiChatOptions["fs"], path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (error) {
    if (errorName(error) === "NotFound") return false;
    throw error;
  }
}

function forkError(parentId: string, reason: string): ClinvkError {
  return new ClinvkError(
    `Cannot fork Gemini session ${parentId}: ${reason}`,
    ExitCode.BackendFailed,
  );
}
