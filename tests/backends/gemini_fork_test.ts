import assert from "node:assert/strict";
import { join } from "node:path";
import { forkGeminiChat } from "../../src/backends/gemini/fork.ts";
import { ClinvkError, ExitCode } from "../../src/errors.ts";
import { readSample } from "./samples.ts";

const PARENT = "84286d75-49b7-4c41-9e63-8c46c63654a2";
const NEW = "5f0c2a9e-1b7d-4c3e-9a8f-0123456789ab";
const NOW = new Date("2026-01-27T10:05:59.000Z");
const CHAT = `session-2026-11-24T01-37-${PARENT.slice(0, 8)}.jsonl`;

/** A temporary `$GEMINI_CLI_HOME` with one project per entry, holding the recorded chat. */
async function geminiHome(projects: Record<string, { root: string; chat?: string }>) {
  const home = await Deno.makeTempDir({ prefix: "clinvk-gemini-fork-" });
  for (const [name, project] of Object.entries(projects)) {
    const dir = join(home, ".gemini", "tmp", name);
    await Deno.mkdir(join(dir, "chats"), { recursive: true });
    await Deno.writeTextFile(join(dir, ".project_root"), project.root);
    if (project.chat !== undefined) {
      await Deno.writeTextFile(join(dir, "chats", CHAT), project.chat);
    }
  }
  return {
    home,
    chats: (name: string) => join(home, ".gemini", "tmp", name, "chats"),
    [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }),
  };
}

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

function refusal(pattern: RegExp) {
  return (e: unknown) =>
    e instanceof ClinvkError && e.exitCode === ExitCode.BackendFailed && pattern.test(e.message);
}

Deno.test("forkGeminiChat() copies the chat with only the first line's sessionId replaced", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  await using g = await geminiHome({ work: { root: "/src/app", chat: parentText } });
  const path = await forkGeminiChat({
    fs: Deno,
    geminiHome: g.home,
    workdir: "/src/app",
    parentId: PARENT,
    newId: NEW,
    now: NOW,
  });
  assert.equal(path, join(g.chats("work"), "session-2026-01-27T10-05-5f0c2a9e.jsonl"));
  const copy = await Deno.readTextFile(path);
  const [parentFirst, ...parentRest] = parentText.split("\n");
  const [copyFirst, ...copyRest] = copy.split("\n");
  assert.deepEqual(JSON.parse(copyFirst as string), {
    ...JSON.parse(parentFirst as string),
    sessionId: NEW,
  });
  assert.equal(copyFirst, (parentFirst as string).replace(PARENT, NEW));
  // Later lines repeat the parent id; Gemini keys the chat by the first line only.
  assert.deepEqual(copyRest, parentRest);
  assert.ok(copyRest.some((line) => line.includes(PARENT)));
  assert.equal(
    await Deno.readTextFile(join(g.chats("work"), CHAT)),
    parentText,
    "parent untouched",
  );
  assert.deepEqual(await names(g.chats("work")), ["session-2026-01-27T10-05-5f0c2a9e.jsonl", CHAT]);
});

Deno.test("forkGeminiChat() prefers the project whose .project_root is the workdir", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  await using g = await geminiHome({
    aaa: { root: "/elsewhere", chat: parentText },
    work: { root: "/src/app", chat: parentText },
    zzz: { root: "/other", chat: parentText },
  });
  const path = await forkGeminiChat({
    fs: Deno,
    geminiHome: g.home,
    workdir: "/src/app",
    parentId: PARENT,
    newId: NEW,
    now: NOW,
  });
  assert.equal(path, join(g.chats("work"), "session-2026-01-27T10-05-5f0c2a9e.jsonl"));
  assert.deepEqual(await names(g.chats("aaa")), [CHAT]);
  assert.deepEqual(await names(g.chats("zzz")), [CHAT]);
});

Deno.test("forkGeminiChat() refuses when the chat file's first line has another sessionId", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  const other = parentText.replace(PARENT, "84286d75-0000-4000-8000-000000000000");
  await using g = await geminiHome({ work: { root: "/src/app", chat: other } });
  await assert.rejects(
    forkGeminiChat({
      fs: Deno,
      geminiHome: g.home,
      workdir: "/src/app",
      parentId: PARENT,
      newId: NEW,
      now: NOW,
    }),
    refusal(/does not start with that session id.*refusing to fork/),
  );
  assert.deepEqual(await names(g.chats("work")), [CHAT], "nothing written");
});

Deno.test("forkGeminiChat() refuses when no chat file exists for the parent", async () => {
  await using g = await geminiHome({ work: { root: "/src/app" } });
  await assert.rejects(
    forkGeminiChat({
      fs: Deno,
      geminiHome: g.home,
      workdir: "/src/app",
      parentId: PARENT,
      newId: NEW,
      now: NOW,
    }),
    refusal(/no chat file session-\*-84286d75\.jsonl/),
  );
});

Deno.test("forkGeminiChat() refuses when Gemini has no chats folder at all", async () => {
  const home = await Deno.makeTempDir({ prefix: "clinvk-gemini-fork-" });
  try {
    await assert.rejects(
      forkGeminiChat({
        fs: Deno,
        geminiHome: home,
        workdir: "/w",
        parentId: PARENT,
        newId: NEW,
        now: NOW,
      }),
      refusal(/Cannot fork Gemini session 84286d75-/),
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("forkGeminiChat() refuses to overwrite an existing file", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  await using g = await geminiHome({ work: { root: "/src/app", chat: parentText } });
  const options = {
    fs: Deno,
    geminiHome: g.home,
    workdir: "/src/app",
    parentId: PARENT,
    newId: NEW,
    now: NOW,
  };
  await forkGeminiChat(options);
  await assert.rejects(forkGeminiChat(options), refusal(/already exists/));
});

Deno.test("forkGeminiChat() rejects ids that could escape the chats folder", async () => {
  await using g = await geminiHome({ work: { root: "/src/app" } });
  await assert.rejects(
    forkGeminiChat({
      fs: Deno,
      geminiHome: g.home,
      workdir: "/src/app",
      parentId: PARENT,
      newId: "../../evil-id",
      now: NOW,
    }),
    refusal(/is not a Gemini session id/),
  );
});

Deno.test("forkGeminiChat() removes its temporary file when the rename fails", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  await using g = await geminiHome({ work: { root: "/src/app", chat: parentText } });
  const failingRename = {
    ...Deno,
    rename: () => Promise.reject(new Error("disk full")),
  };
  await assert.rejects(
    forkGeminiChat({
      fs: failingRename,
      geminiHome: g.home,
      workdir: "/src/app",
      parentId: PARENT,
      newId: NEW,
      now: NOW,
    }),
    refusal(/cannot write .*disk full/),
  );
  assert.deepEqual(await names(g.chats("work")), [CHAT]);
});

Deno.test("forkGeminiChat() keeps the original's mode and flushes the copy before renaming it", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  await using g = await geminiHome({ work: { root: "/src/app", chat: parentText } });
  const original = join(g.chats("work"), CHAT);
  const events: string[] = [];
  const fs = {
    ...Deno,
    open: async (path: string | URL, options?: Deno.OpenOptions) => {
      const file = await Deno.open(path, options);
      return new Proxy(file, {
        get(target, key) {
          if (key === "sync") return () => (events.push("sync"), target.sync());
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
    rename: (
      from: string | URL,
      to: string | URL,
    ) => (events.push("rename"), Deno.rename(from, to)),
  };
  for (const mode of [0o600, 0o640]) {
    await Deno.chmod(original, mode);
    events.length = 0;
    const path = await forkGeminiChat({
      fs,
      geminiHome: g.home,
      workdir: "/src/app",
      parentId: PARENT,
      newId: crypto.randomUUID(),
      now: NOW,
    });
    assert.equal((await Deno.stat(path)).mode! & 0o777, mode);
    assert.deepEqual(events, ["sync", "rename"]);
    await Deno.remove(path);
  }
});

Deno.test("forkGeminiChat() copies the file with the conversation, not a message-less duplicate", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  await using g = await geminiHome({ work: { root: "/src/app", chat: parentText } });
  // Gemini's later-minute duplicate: the same sessionId, a newer name, no messages.
  const [header, preamble] = parentText.split("\n");
  const duplicate = join(g.chats("work"), `session-2026-11-24T01-59-${PARENT.slice(0, 8)}.jsonl`);
  await Deno.writeTextFile(duplicate, `${header}\n${preamble}\n`);
  const path = await forkGeminiChat({
    fs: Deno,
    geminiHome: g.home,
    workdir: "/src/app",
    parentId: PARENT,
    newId: NEW,
    now: NOW,
  });
  const copy = await Deno.readTextFile(path);
  assert.ok(copy.includes("ECHO turn=1: first prompt"), "the conversation was copied");
});

Deno.test("forkGeminiChat() lets a denied Deno permission through, so it exits 2 naming the flag", async () => {
  const parentText = await readSample("gemini/session-file.jsonl");
  await using g = await geminiHome({ work: { root: "/src/app", chat: parentText } });
  const denied = () =>
    Object.assign(
      new Error('Requires write access to "x", run again with the --allow-write flag'),
      {
        name: "NotCapable",
      },
    );
  await assert.rejects(
    forkGeminiChat({
      fs: { ...Deno, open: () => Promise.reject(denied()) },
      geminiHome: g.home,
      workdir: "/src/app",
      parentId: PARENT,
      newId: NEW,
      now: NOW,
    }),
    (e: unknown) => e instanceof Error && e.name === "NotCapable",
  );
});
