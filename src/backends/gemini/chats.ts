/**
 * Gemini's chat files (samples/README.md, "Forking a Gemini session" and "Gemini hazards"):
 * `$GEMINI_CLI_HOME/.gemini/tmp/<project>/chats/session-<YYYY-MM-DDTHH-MM>-<first 8 of id>.jsonl`,
 * keyed by the `sessionId` of each file's first line. A session may have several files: a
 * resume in a later minute writes a message-less duplicate, which Gemini's start-up clean-up
 * later takes for invalid — and then deletes every file of that session. So files are told
 * apart by their content, never by their names alone.
 * @module
 */
import { join } from "node:path";
import { errorName } from "../../platform/fs_errors.ts";
import type { Env, Fs } from "../../platform/types.ts";
import { asObject, asString } from "../shared/json_value.ts";

/** What the chat-file helpers need from the file system. */
export type ChatFs = Pick<Fs, "readDir" | "readTextFile" | "lstat">;

/** One chat file of a Gemini session. */
export interface ChatFile {
  /** Absolute path. */
  path: string;
  /** The `chats/` folder it is in. */
  chatsDir: string;
  /** The file name, `session-<time>-<id8>.jsonl`. */
  name: string;
  text: string;
  /** Whether it holds a turn (a user prompt or an answer), not only Gemini's preamble. */
  hasMessages: boolean;
  /** Whether its project's `.project_root` is the session's working directory. */
  inWorkdir: boolean;
}

/** Gemini session ids are UUIDs; anything else could escape the chats folder via the name. */
export const GEMINI_SESSION_ID = /^[0-9A-Za-z-]{8,}$/;

/** `$GEMINI_CLI_HOME`, else `$HOME`: the folder that holds `.gemini/`. */
export function geminiHome(env: Env): string | undefined {
  return env.get("GEMINI_CLI_HOME") || env.get("HOME") || env.get("USERPROFILE") || undefined;
}

/** `<home>/.gemini/tmp`, where the projects are. */
export function projectsRoot(home: string): string {
  return join(home, ".gemini", "tmp");
}

/**
 * Every chat file named for `sessionId` in any project, split into those whose first line
 * carries exactly that `sessionId` and those that only share the name.
 */
export async function findChats(
  fs: ChatFs,
  home: string,
  workdir: string,
  sessionId: string,
): Promise<{ verified: ChatFile[]; mismatched: string[] }> {
  const suffix = `-${sessionId.slice(0, 8)}.jsonl`;
  const verified: ChatFile[] = [];
  const mismatched: string[] = [];
  for (const project of await listDir(fs, projectsRoot(home))) {
    if (project.isFile) continue;
    const projectDir = join(projectsRoot(home), project.name);
    const chatsDir = join(projectDir, "chats");
    const names = (await listDir(fs, chatsDir))
      .filter((e) => e.isFile && e.name.startsWith("session-") && e.name.endsWith(suffix))
      .map((e) => e.name);
    if (names.length === 0) continue;
    const root = await readOrUndefined(fs, join(projectDir, ".project_root"));
    const inWorkdir = root?.trim() === workdir;
    for (const name of names) {
      const path = join(chatsDir, name);
      const text = await fs.readTextFile(path);
      if (firstLineSessionId(text) === sessionId) {
        verified.push({ path, chatsDir, name, text, hasMessages: hasMessages(text), inWorkdir });
      } else {
        mismatched.push(path);
      }
    }
  }
  return { verified, mismatched };
}

/** The `sessionId` of a chat file's first line. */
export function firstLineSessionId(text: string): string | undefined {
  try {
    return asString(asObject(JSON.parse(firstLine(text)))?.sessionId);
  } catch {
    return undefined;
  }
}

/** The first line of `text`, without its newline. */
export function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : text.slice(0, end);
}

/**
 * Whether a chat file holds a turn: a top-level `user` or `gemini` message (with its `id`).
 * Gemini's `<session_context>` preamble is written inside a `$set`, so a file holding only that
 * (the later-minute duplicate) has none.
 */
export function hasMessages(text: string): boolean {
  for (const line of text.split("\n").slice(1)) {
    if (!line.includes('"type"')) continue;
    try {
      const entry = asObject(JSON.parse(line));
      if ((entry?.type === "user" || entry?.type === "gemini") && typeof entry.id === "string") {
        return true;
      }
    } catch {
      // A torn last line (Gemini still writing) is not a message.
    }
  }
  return false;
}

async function listDir(fs: ChatFs, path: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(fs.readDir(path));
  } catch (error) {
    if (errorName(error) === "NotFound" || errorName(error) === "NotADirectory") return [];
    throw error;
  }
}

async function readOrUndefined(fs: ChatFs, path: string): Promise<string | undefined> {
  try {
    return await fs.readTextFile(path);
  } catch (error) {
    if (errorName(error) === "NotCapable" || errorName(error) === "PermissionDenied") throw error;
    return undefined;
  }
}
