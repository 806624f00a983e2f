/**
 * Keeping Gemini's chat folder safe to use (samples/README.md, "Gemini hazards"): forgetting an
 * ephemeral session by removing exactly its own files — never `gemini --delete-session`, which
 * deletes another session when the id is unknown — and removing the message-less duplicate a
 * later-minute resume leaves, before Gemini's start-up clean-up deletes the whole session for it.
 * @module
 */
import { errorMessage } from "../../platform/fs_errors.ts";
import type { AfterTurn, BackendContext } from "../types.ts";
import { type ChatFile, findChats, GEMINI_SESSION_ID, geminiHome } from "./chats.ts";

/**
 * Removes every chat file whose first line carries exactly `sessionId`; removes nothing when
 * there is none (a failed first turn saved nothing). Returns a warning when a file could not go.
 */
export async function forgetGeminiSession(
  context: BackendContext,
  sessionId: string,
): Promise<string | undefined> {
  const chats = await sessionChats(context, sessionId);
  return await removeAll(context, chats.map((chat) => chat.path), sessionId);
}

/** The chat files whose first line carries exactly `sessionId` (none for an id that cannot be one). */
async function sessionChats(context: BackendContext, sessionId: string): Promise<ChatFile[]> {
  const home = geminiHome(context.env);
  if (!home || !GEMINI_SESSION_ID.test(sessionId)) return [];
  return (await findChats(context.fs, home, context.workdir, sessionId)).verified;
}

/**
 * After a turn on `sessionId`: removes its message-less duplicates (when a file with the
 * conversation exists) and says whether Gemini kept the session at all.
 */
export async function tidyGeminiSession(
  context: BackendContext,
  sessionId: string,
): Promise<AfterTurn> {
  const verified = await sessionChats(context, sessionId);
  const saved = verified.some((chat) => chat.hasMessages);
  if (!saved) return { saved };
  const duplicates = verified.filter((chat) => !chat.hasMessages).map((chat) => chat.path);
  const warning = await removeAll(context, duplicates, sessionId);
  return warning === undefined ? { saved } : { saved, warning };
}

/** The chat file that holds the conversation of `sessionId`, preferring the session's project. */
export async function geminiTranscriptPath(
  context: BackendContext,
  sessionId: string,
): Promise<string | undefined> {
  const full = (await sessionChats(context, sessionId)).filter((chat) => chat.hasMessages)
    .sort((a, b) => Number(b.inWorkdir) - Number(a.inWorkdir) || b.name.localeCompare(a.name));
  return full[0]?.path;
}

async function removeAll(
  context: BackendContext,
  paths: string[],
  sessionId: string,
): Promise<string | undefined> {
  const failed: string[] = [];
  for (const path of paths) {
    try {
      await context.fs.remove(path);
    } catch (error) {
      failed.push(`${path} (${errorMessage(error)})`);
    }
  }
  return failed.length === 0
    ? undefined
    : `Could not remove Gemini's files of session ${sessionId}: ${failed.join(", ")}`;
}
