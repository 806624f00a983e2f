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
import { errorName } from "../../platform/fs_errors.ts";
import { join } from "node:path";
import { ClinvkError, ExitCode } from "../../errors.ts";
import { asObject, asString } from "../shared/json_value.ts";
import type { Fs } from "../../platform/types.ts";

/** What {@linkcode forkGeminiChat} needs. */
export interface ForkGeminiChatOptions {
  fs: Pick<Fs, "readDir" | "readTextFile" | "writeTextFile" | "rename" | "remove" | "lstat">;
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

/** Gemini session ids are UUIDs; anything else could escape the chats folder via the name. */
const SESSION_ID = /^[0-9A-Za-z-]{8,}$/;

interface Candidate {
  chatsDir: string;
  name: string;
  text: string;
  inWorkdir: boolean;
}

/**
 * Copies the parent's chat file `<geminiHome>/.gemini/tmp/<project>/chats/session-*-<id8>.jsonl`
 * (the one whose first line has `sessionId === parentId`; when several projects have one, the
 * project whose `.project_root` is `workdir` wins) to `session-<YYYY-MM-DDTHH-MM>-<new id8>.jsonl`
 * in the same folder, with only the first line's `sessionId` replaced by `newId`. The copy is
 * written under a temporary name and renamed, so Gemini never sees half a file.
 *
 * Returns the new file's path. Throws a {@linkcode ClinvkError} (exit 1) when no chat file is
 * found or its first line does not carry the parent's id.
 *
 * @example
 * ```ts
 * const path = await forkGeminiChat({
 *   fs: platform.fs, geminiHome, workdir: record.workdir,
 *   parentId: record.backend_session_id, newId: crypto.randomUUID(), now: clock.now(),
 * });
 * // then: gemini -p P --resume <newId>
 * ```
 */
export async function forkGeminiChat(options: ForkGeminiChatOptions): Promise<string> {
  const { fs, parentId, newId } = options;
  for (const id of [parentId, newId]) {
    if (!SESSION_ID.test(id)) throw forkError(parentId, `"${id}" is not a Gemini session id`);
  }
  const { verified, mismatched } = await findChats(options);
  if (verified.length === 0) {
    const wrongFile = mismatched[0];
    const reason = wrongFile !== undefined
      ? `the chat file ${wrongFile} does not start with that session id ` +
        "(Gemini's format may have changed); refusing to fork"
      : `no chat file session-*-${parentId.slice(0, 8)}.jsonl under ${tmpRoot(options)}`;
    throw forkError(parentId, reason);
  }
  const preferred = verified.some((c) => c.inWorkdir)
    ? verified.filter((c) => c.inWorkdir)
    : verified;
  // Gemini names chat files by start time, so the last name is the newest.
  const parent = preferred.sort((a, b) => a.name.localeCompare(b.name)).at(-1) as Candidate;

  const target = join(
    parent.chatsDir,
    `session-${fileStamp(options.now)}-${newId.slice(0, 8)}.jsonl`,
  );
  if (await exists(fs, target)) throw forkError(parentId, `${target} already exists`);
  const temp = join(parent.chatsDir, `.clinvk-fork-${newId}.tmp`);
  try {
    await fs.writeTextFile(temp, withFirstSessionId(parent.text, parentId, newId), {
      createNew: true,
    });
    await fs.rename(temp, target);
  } catch (error) {
    await fs.remove(temp).catch(() => {});
    const why = error instanceof Error ? error.message : String(error);
    throw forkError(parentId, `cannot write ${target}: ${why}`);
  }
  return target;
}

function tmpRoot(options: ForkGeminiChatOptions): string {
  return join(options.geminiHome, ".gemini", "tmp");
}

/** Every chat file named for the parent, split by whether its first line confirms the id. */
async function findChats(
  options: ForkGeminiChatOptions,
): Promise<{ verified: Candidate[]; mismatched: string[] }> {
  const { fs, parentId } = options;
  const suffix = `-${parentId.slice(0, 8)}.jsonl`;
  const verified: Candidate[] = [];
  const mismatched: string[] = [];
  for (const project of await listDir(fs, tmpRoot(options))) {
    if (project.isFile) continue;
    const projectDir = join(tmpRoot(options), project.name);
    const chatsDir = join(projectDir, "chats");
    const names = (await listDir(fs, chatsDir))
      .filter((e) => e.isFile && e.name.startsWith("session-") && e.name.endsWith(suffix))
      .map((e) => e.name);
    if (names.length === 0) continue;
    const inWorkdir = (await readOrUndefined(fs, join(projectDir, ".project_root")))?.trim() ===
      options.workdir;
    for (const name of names) {
      const path = join(chatsDir, name);
      const text = await fs.readTextFile(path);
      if (firstLineSessionId(text) === parentId) {
        verified.push({ chatsDir, name, text, inWorkdir });
      } else {
        mismatched.push(path);
      }
    }
  }
  return { verified, mismatched };
}

function firstLineSessionId(text: string): string | undefined {
  try {
    return asString(asObject(JSON.parse(firstLine(text)))?.sessionId);
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : text.slice(0, end);
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

async function listDir(fs: ForkGeminiChatOptions["fs"], path: string): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of fs.readDir(path)) entries.push(entry);
  } catch (error) {
    if (errorName(error) === "NotFound" || errorName(error) === "NotADirectory") return [];
    throw error;
  }
  return entries;
}

async function readOrUndefined(
  fs: ForkGeminiChatOptions["fs"],
  path: string,
): Promise<string | undefined> {
  try {
    return await fs.readTextFile(path);
  } catch {
    return undefined;
  }
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
