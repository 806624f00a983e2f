/**
 * The bad-input matrix (issue 4, SPEC §9): every wrong flag value, unknown command, hostile
 * id, broken home or full disk gets its documented exit code and exactly one clear line on
 * stderr — no stack trace — and the sessions that were there before are all still there.
 * Add a row to {@linkcode CASES} to cover a new input.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runCli } from "../../src/main.ts";
import { denoPlatform } from "../../src/platform/deno_platform.ts";
import type { Fs, Output, Platform } from "../../src/platform/types.ts";
import { createFileStore } from "../../src/sessions/file_store.ts";
import type { SessionStore } from "../../src/sessions/store_types.ts";
import { fakeBinDir, readFakeLog } from "../fixtures/fake_backends.ts";
import {
  clinvkEnv,
  endless,
  repoRoot,
  RUN_PERMISSIONS,
  type Sandbox,
  spawnClinvk,
  withSandbox,
} from "../support/clinvk.ts";
import { stillRunning } from "../support/processes.ts";
import { inProcess, sample } from "../support/in_process.ts";
import { assertIncludes } from "../support/assert.ts";

/** One row of the matrix. */
interface BadCase {
  /** What is wrong, for the test name. */
  what: string;
  /** The arguments; a function receives the ids of the two seeded sessions. */
  args: string[] | ((seeded: string[]) => string[]);
  stdin?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
  /** Expected exit code (2 = usage or config error, 4 = not found). */
  code: number;
  /** What the one stderr line must say. */
  says: RegExp;
  /** Breaks the sandbox before the run; returns how to mend it before the "nothing lost" check. */
  arrange?: (sb: Sandbox) => Promise<(() => Promise<void>) | void>;
  /** Deno permission flags instead of the documented ones. */
  permissions?: (sb: Sandbox) => string[];
}

/**
 * Whether file modes bind this process: false for root (or CAP_DAC_OVERRIDE), which reads a
 * chmod 000 file anyway. Found out by trying, which needs no `--allow-sys`.
 */
async function modesBindUs(): Promise<boolean> {
  const probe = await Deno.makeTempFile({ prefix: "clinvk-mode-probe-" });
  try {
    await Deno.chmod(probe, 0o000);
    await Deno.readFile(probe);
    return false;
  } catch {
    return true;
  } finally {
    await Deno.remove(probe);
  }
}

const modesBind = await modesBindUs();

const CASES: BadCase[] = [
  { what: "--timeout abc", args: ["--timeout", "abc", "hi"], code: 2, says: /"abc".*seconds/ },
  { what: "--timeout -1", args: ["--timeout", "-1", "hi"], code: 2, says: /"-1".*seconds/ },
  {
    what: "--limit 0",
    args: ["sessions", "list", "--limit", "0"],
    code: 2,
    says: /"0".*at least 1/,
  },
  {
    what: "--limit x",
    args: ["sessions", "list", "--limit", "x"],
    code: 2,
    says: /"x".*whole number/,
  },
  { what: "-o yaml", args: ["-o", "yaml", "hi"], code: 2, says: /"yaml".*text, json, stream-json/ },
  {
    what: "--status done",
    args: ["sessions", "list", "--status", "done"],
    code: 2,
    says: /"done".*created, active, completed, error, expired/,
  },
  {
    what: "--older-than 3 days (two words)",
    args: ["sessions", "clean", "--older-than", "3", "days"],
    code: 2,
    says: /"days"/,
  },
  {
    what: '--older-than "3 days"',
    args: ["sessions", "clean", "--older-than", "3 days"],
    code: 2,
    says: /"3 days"/,
  },
  { what: "-b nope", args: ["-b", "nope", "hi"], code: 2, says: /"nope".*claude, codex, gemini/ },
  {
    what: "serve --port 70000",
    args: ["serve", "--port", "70000"],
    code: 2,
    says: /"70000".*port/,
  },
  {
    what: "serve --log-format xml",
    args: ["serve", "--log-format", "xml"],
    code: 2,
    says: /"xml".*text, json/,
  },
  {
    what: "serve on 0.0.0.0 without keys",
    args: ["serve", "--host", "0.0.0.0", "--port", "0"],
    code: 2,
    says: /Refusing to listen on 0\.0\.0\.0 without API keys/,
  },
  {
    what: "serve -w /etc",
    args: ["serve", "-w", "/etc", "--port", "0"],
    code: 2,
    says: /system directory/,
  },
  {
    what: "serve keys add ../x",
    args: ["serve", "keys", "add", "../x"],
    code: 2,
    says: /cannot name an API key/,
  },
  {
    what: "resume --backend nope",
    args: ["resume", "--last", "--backend", "nope"],
    code: 2,
    says: /"nope"/,
  },
  {
    what: "an unknown command",
    args: ["sessions", "frob"],
    code: 2,
    says: /Unknown command "frob"/,
  },
  { what: "an unknown flag", args: ["--frobnicate", "hi"], code: 2, says: /--frobnicate/ },
  {
    what: "an unknown subcommand flag",
    args: ["sessions", "list", "--frob"],
    code: 2,
    says: /--frob/,
  },
  { what: "a missing id", args: ["sessions", "show"], code: 2, says: /clinvk --help/ },
  { what: "an empty prompt", args: [""], code: 2, says: /prompt is empty/ },
  { what: "a whitespace prompt", args: ["  \t "], code: 2, says: /prompt is empty/ },
  { what: "an empty prompt on stdin", args: [], stdin: " \n\n", code: 2, says: /prompt is empty/ },
  {
    what: "a prompt over 100 KB",
    args: ["-b", "claude", "x".repeat(120_000)],
    code: 2,
    says: /too long \(120000 bytes; the limit is 100000\)\. /,
  },
  {
    what: "a prompt over 100 KB on stdin",
    args: ["-b", "claude"],
    stdin: "y".repeat(250_000),
    code: 2,
    says: /too long/,
  },
  {
    what: "a binary prompt with NUL on stdin",
    args: ["-b", "claude"],
    stdin: "hello\0world",
    code: 2,
    says: /NUL/,
  },
  {
    what: "an id with ..",
    args: ["sessions", "show", "../x"],
    code: 2,
    says: /Invalid session id "\.\.\/x"/,
  },
  {
    what: "an id with /",
    args: ["sessions", "show", "a/b"],
    code: 2,
    says: /Invalid session id "a\/b"/,
  },
  {
    what: "a unicode id",
    args: ["sessions", "show", "认证"],
    code: 2,
    says: /Invalid session id "认证"/,
  },
  {
    what: "an empty id",
    args: ["sessions", "delete", ""],
    code: 2,
    says: /Invalid session id: it is empty/,
  },
  {
    what: "a resume id with /",
    args: ["resume", "../../etc", "hi"],
    code: 2,
    says: /Invalid session id/,
  },
  {
    what: "a tag id with /",
    args: ["sessions", "tag", "a/b", "t"],
    code: 2,
    says: /Invalid session id/,
  },
  {
    what: "an unknown id",
    args: ["sessions", "show", "zzzzzzzz"],
    code: 4,
    says: /"zzzzzzzz" not found/,
  },
  {
    what: "--config pointing to a missing file",
    args: ["sessions", "list", "--config", "/nonexistent/clinvk.yaml"],
    code: 2,
    says: /Cannot read config \/nonexistent\/clinvk\.yaml: no such file/,
  },
  {
    what: "--config pointing to a directory",
    args: ["sessions", "list", "--config", "/"],
    code: 2,
    says: /Cannot read config \/: it is a directory/,
  },
  {
    what: "a config.yaml that is a directory",
    args: ["sessions", "list"],
    code: 2,
    says: /config\.yaml: it is a directory/,
    arrange: async (sb) => {
      await Deno.mkdir(join(sb.home, "config.yaml"));
      return () => Deno.remove(join(sb.home, "config.yaml"));
    },
  },
  {
    what: "a lock file that is a directory (list)",
    args: ["sessions", "list"],
    code: 2,
    says: /\.lock is a directory.*rmdir/,
    arrange: lockIsADirectory,
  },
  {
    what: "a lock file that is a directory (new prompt)",
    args: ["-b", "claude", "hi"],
    code: 2,
    says: /\.lock is a directory.*rmdir/,
    arrange: lockIsADirectory,
  },
  {
    what: "a CLINVK_HOME that is a file",
    args: ["sessions", "list"],
    code: 2,
    says: /not a directory/,
    arrange: async (sb) => {
      const away = `${sb.home}.away`;
      await Deno.rename(sb.home, away);
      await Deno.writeTextFile(sb.home, "not a directory\n");
      return async () => {
        await Deno.remove(sb.home);
        await Deno.rename(away, sb.home);
      };
    },
  },
  {
    what: "a malformed run file on stdin",
    args: ["parallel"],
    stdin: "tasks: [\n  - prompt: x\n",
    code: 2,
    says: /Invalid run file -:\d+:\d+: /,
  },
  {
    what: "a run file task without a prompt",
    args: ["chain"],
    stdin: '{"steps": [{"backend": "claude"}]}',
    code: 2,
    says: /Invalid run file -:1:12: steps\[0\]: "prompt" is required/,
  },
  {
    what: "--max-parallel 0",
    args: ["parallel", "--max-parallel", "0"],
    code: 2,
    says: /"0".*at least 1/,
  },
  // Issue 13: runs across machines.
  {
    what: "--dispatch with another scheme",
    args: ["parallel", "--dispatch", "http://127.0.0.1:4222"],
    stdin: 'tasks: [{prompt: "x"}]\n',
    code: 2,
    says: /Invalid NATS address "http:\/\/127\.0\.0\.1:4222": unknown scheme http:\/\//,
  },
  {
    what: "--pool without --dispatch",
    args: ["parallel", "--pool", "gpu"],
    stdin: 'tasks: [{prompt: "x"}]\n',
    code: 2,
    says: /Cannot use --pool without --dispatch/,
  },
  {
    what: "--dispatch to a server that is not there",
    args: ["parallel", "--dispatch", "nats://127.0.0.1:1"],
    stdin: 'tasks: [{prompt: "x"}]\n',
    code: 7,
    says: /Cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: .*nats-server -js/,
  },
  {
    what: "--dispatch beyond the allowed network",
    args: ["compare", "x", "--backends", "claude", "--dispatch", "nats://10.255.0.1:4222"],
    code: 2,
    says: /Deno permission missing\. Add --allow-net=10\.255\.0\.1:4222/,
  },
  {
    what: "--dispatch to a server by name beyond the allowed network",
    args: ["parallel", "--dispatch", "nats://nats.invalid:4222"],
    stdin: 'tasks: [{prompt: "x"}]\n',
    code: 2,
    says:
      /Deno permission missing\. Add --allow-net=nats\.invalid to the deno command \(and the address/,
  },
  { what: "worker without a server", args: ["worker"], code: 2, says: /No NATS server given/ },
  {
    what: "worker --pool with a dot",
    args: ["worker", "--nats", "nats://127.0.0.1:1", "--pool", "a.b"],
    code: 2,
    says: /Invalid pool name "a\.b"/,
  },
  {
    what: "worker --backends naming an unknown one",
    args: ["worker", "--nats", "nats://127.0.0.1:1", "--backends", "claude,nope"],
    code: 2,
    says: /Unknown backend "nope"/,
  },
  { what: "a run id with ../", args: ["runs", "show", "../x"], code: 2, says: /Invalid run id/ },
  { what: "an unknown run", args: ["runs", "resume", "zzzz"], code: 4, says: /Run zzzz does not/ },
  {
    what: "a CLINVK_HOME Deno may not read (--allow-read without it)",
    args: ["sessions", "list"],
    code: 2,
    says: /--allow-read/,
    // The documented flags, with reading narrowed to the code: clinvk itself still loads.
    permissions: () =>
      RUN_PERMISSIONS.map((flag) => flag === "--allow-read" ? `--allow-read=${repoRoot}` : flag),
  },
  // Issue 9.14: values echoed in errors are escaped, cut and kept on one line.
  {
    what: "a backend name holding an escape sequence",
    args: ["-b", "x\x1b]0;pwned\x07", "hi"],
    code: 2,
    says: /unknown backend "x\\e\]0;pwned\\x07"/,
  },
  {
    what: "a tag with a newline",
    args: (ids) => ["sessions", "tag", ids[0]!, "a\nb"],
    code: 2,
    says: /Invalid tag "a\\nb"/,
  },
  {
    what: "an unknown command holding an escape sequence",
    args: ["sessions", "li\x1b[2Jst"],
    code: 2,
    says: /Unknown command "li\\e\[2Jst"/,
  },
  {
    what: "an unknown flag holding an escape sequence",
    args: ["sessions", "list", "--fr\x1b[2Job"],
    code: 2,
    says: /"--fr\\e\[2Job"/,
  },
  {
    what: "a 5,000-character id",
    args: ["sessions", "show", "a".repeat(5000)],
    code: 2,
    says: /^.{0,300}$/,
  },
  // Issue 9.8: numbers out of range are usage errors, for flags and config values alike.
  {
    what: "--older-than 99999999999d",
    args: ["sessions", "clean", "--older-than", "99999999999d"],
    code: 2,
    says: /"99999999999d" is out of range \(at most 36500d/,
  },
  {
    what: "--older-than in seconds beyond 100 years",
    args: ["sessions", "clean", "--dry-run", "--older-than", "99999999999999s"],
    code: 2,
    says: /out of range/,
  },
  {
    what: "--limit 99999999999999999999",
    args: ["sessions", "list", "--limit", "99999999999999999999"],
    code: 2,
    says: /"99999999999999999999" is out of range/,
  },
  {
    what: "--timeout 99999999999",
    args: ["--timeout", "99999999999", "hi"],
    code: 2,
    says: /Bad timeout "99999999999".*0 to 2147483/,
  },
  {
    what: "config set session.retention_days 99999999999",
    args: ["config", "set", "session.retention_days", "99999999999"],
    code: 2,
    says: /Invalid value for "session\.retention_days".*0 to 36500/,
  },
  {
    what: "a config.yaml with retention_days 99999999999",
    args: ["sessions", "clean"],
    code: 2,
    says: /config\.yaml:2:19: .*retention_days.*0 to 36500/,
    arrange: async (sb) => {
      await Deno.writeTextFile(
        join(sb.home, "config.yaml"),
        "session:\n  retention_days: 99999999999\n",
      );
      return () => Deno.remove(join(sb.home, "config.yaml"));
    },
  },
  // Issue 9.2: reads are bounded.
  {
    what: "an endless prompt on stdin (< /dev/zero)",
    args: ["-b", "claude"],
    stdin: () => endless(new Uint8Array(65536)),
    code: 2,
    says: /prompt on stdin is too long \(more than 100000 bytes/,
  },
  {
    what: "an endless prompt on stdin (yes |)",
    args: ["-b", "claude"],
    stdin: () => endless(new TextEncoder().encode("y\n".repeat(4096))),
    code: 2,
    says: /prompt on stdin is too long/,
  },
  {
    what: "a prompt on stdin that is not UTF-8",
    args: ["-b", "claude"],
    stdin: new Uint8Array([0x68, 0x69, 0x20, 0xff, 0xfe, 0x21]),
    code: 2,
    says: /prompt on stdin is not UTF-8 text/,
  },
  {
    what: "a -c prompt on stdin that is not UTF-8",
    args: ["-c"],
    stdin: new Uint8Array([0xc3, 0x28]),
    code: 2,
    says: /not UTF-8 text/,
  },
  {
    what: "a config.yaml that is a named pipe (FIFO) nobody writes to",
    args: ["sessions", "list"],
    code: 2,
    says: /config\.yaml: it is a named pipe \(FIFO\)/,
    arrange: async (sb) => {
      const fifo = join(sb.home, "config.yaml");
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.equal(made.code, 0, "mkfifo");
      return () => Deno.remove(fifo);
    },
  },
  {
    what: "a config.yaml that links to /dev/zero",
    args: ["sessions", "list"],
    code: 2,
    says: /config\.yaml: it is a device/,
    arrange: async (sb) => {
      await Deno.symlink("/dev/zero", join(sb.home, "config.yaml"));
      return () => Deno.remove(join(sb.home, "config.yaml"));
    },
  },
  {
    what: "--config naming a 2 MiB file",
    args: ["sessions", "list", "--config", "big.yaml"],
    code: 2,
    says: /big\.yaml: it is larger than 1 MiB/,
    arrange: async (sb) => {
      await Deno.writeTextFile(join(sb.work, "big.yaml"), `# ${"x".repeat(2 * 1024 * 1024)}\n`);
    },
  },
  {
    what: "--config naming a file that is not UTF-8",
    args: ["config", "show", "--config", "latin1.yaml"],
    code: 2,
    says: /latin1\.yaml: it is not UTF-8 text/,
    arrange: async (sb) => {
      await Deno.writeFile(join(sb.work, "latin1.yaml"), new Uint8Array([0x61, 0x3a, 0x20, 0xe9]));
    },
  },
  // Issue 9.11: a command name after global flags is never sent as a prompt.
  {
    what: "-o json before config show",
    args: ["-o", "json", "config", "show"],
    code: 2,
    says: /"clinvk config show" does not take -o.*`clinvk -o json -- 'config show'`/,
  },
  {
    what: "--ephemeral before version",
    args: ["--ephemeral", "version"],
    code: 2,
    says: /does not take --ephemeral.*`clinvk --ephemeral -- version`/,
  },
  {
    what: "-b codex before a group name and words that name no command",
    args: ["-b", "codex", "sessions", "from", "yesterday"],
    code: 2,
    says: /"sessions" is a clinvk command.*`clinvk -b codex -- 'sessions from yesterday'`/,
  },
  // Issue 9.13: every id is checked before anything is deleted.
  {
    what: "sessions delete with a bad id between two good ones",
    args: (ids) => ["sessions", "delete", ids[0]!, "../x", ids[1]!],
    code: 2,
    says: /Invalid session id "\.\.\/x"/,
  },
  {
    what: "sessions delete with an unknown id after a good one",
    args: (ids) => ["sessions", "delete", ids[0]!, "zzzzzzzz", ids[1]!],
    code: 4,
    says: /"zzzzzzzz" not found/,
  },
  // Issue 9.1: a *.json that is not a regular file is a bad file; looking it up exits 4 at once.
  {
    what: "show of a session file that is a FIFO",
    args: ["sessions", "show", "fifo000001"],
    code: 4,
    says:
      /Cannot use session fifo000001: .*fifo000001\.json: a FIFO \(named pipe\), not a session file/,
    arrange: (sb) => plant(sb, "fifo000001.json", "fifo"),
  },
  {
    what: "tag of a session file that is a FIFO",
    args: ["sessions", "tag", "fifo000001", "x"],
    code: 4,
    says: /a FIFO \(named pipe\)/,
    arrange: (sb) => plant(sb, "fifo000001.json", "fifo"),
  },
  {
    what: "resume of a session file that is a FIFO",
    args: ["resume", "fifo000001", "hi"],
    code: 4,
    says: /a FIFO \(named pipe\)/,
    arrange: (sb) => plant(sb, "fifo000001.json", "fifo"),
  },
  {
    what: "delete of a session file that is a FIFO",
    args: ["sessions", "delete", "fifo000001"],
    code: 4,
    says: /a FIFO \(named pipe\)/,
    arrange: (sb) => plant(sb, "fifo000001.json", "fifo"),
  },
  {
    what: "show of a session file that links to /dev/zero",
    args: ["sessions", "show", "device0001"],
    code: 4,
    says: /device0001\.json: a device, not a session file/,
    arrange: (sb) => plant(sb, "device0001.json", "/dev/zero"),
  },
  {
    what: "show of a session file that is a symlink loop",
    args: ["sessions", "show", "loop000001"],
    code: 4,
    says: /a symbolic link loop/,
    arrange: (sb) => plant(sb, "loop000001.json", "loop"),
  },
  {
    what: "show of a session file linked through a non-directory",
    args: ["sessions", "show", "x000000001"],
    code: 4,
    says: /a symbolic link through a non-directory/,
    arrange: (sb) => plant(sb, "x000000001.json", "/etc/passwd/x"),
  },
  // Issue 9.5: a broken store layout is one clear line and exit 2, and creates nothing.
  {
    what: "a catalog path that is a directory",
    args: ["sessions", "list"],
    code: 2,
    says: /Broken session store: .*\.catalog\.db is a directory, not a file/,
    arrange: (sb) => plant(sb, ".catalog.db", "dir"),
  },
  {
    what: "a catalog path that is a directory (new prompt)",
    args: ["-b", "claude", "hi"],
    code: 2,
    says: /\.catalog\.db is a directory/,
    arrange: (sb) => plant(sb, ".catalog.db", "dir"),
  },
  {
    what: "a sessions directory that is a file",
    args: ["-b", "claude", "hi"],
    code: 2,
    says: /Broken session store: .*sessions is a file, not a directory/,
    arrange: (sb) => replaceSessionsDir(sb, "file"),
  },
  {
    what: "a sessions directory that is a dangling link",
    args: ["sessions", "list"],
    code: 2,
    says: /sessions is a symbolic link to nothing, not a directory/,
    arrange: (sb) => replaceSessionsDir(sb, "dangling"),
  },
  {
    what: "a .leases that is a file",
    args: ["-b", "claude", "hi"],
    code: 2,
    says: /\.leases is a file, not a directory/,
    arrange: (sb) => plant(sb, ".leases", "file"),
  },
  {
    what: "a .leases that is a dangling link",
    args: ["-b", "claude", "hi"],
    code: 2,
    says: /\.leases is a symbolic link to nothing, not a directory/,
    arrange: (sb) => plant(sb, ".leases", "dangling"),
  },
  {
    what: "a .corrupt that is a file",
    args: ["sessions", "doctor", "--fix"],
    code: 2,
    says: /\.corrupt is a file, not a directory/,
    arrange: (sb) => plant(sb, ".corrupt", "file"),
  },
  {
    what: "a lease that is a dangling link",
    args: (ids) => ["sessions", "delete", [...ids].sort()[0]!],
    code: 2,
    says: /\.leases\/[a-z0-9]+ is a symbolic link to nothing, not a file/,
    arrange: (sb) => plantLease(sb, "dangling"),
  },
  {
    what: "a lease that is a directory",
    args: (ids) => ["sessions", "delete", [...ids].sort()[0]!],
    code: 2,
    says: /\.leases\/[a-z0-9]+ is a directory, not a file/,
    arrange: (sb) => plantLease(sb, "dir"),
  },
  // Issue 9.9: a link planted where clinvk writes is refused, and its target left alone.
  {
    what: "a lease planted as a link to another file",
    args: (ids) => ["sessions", "delete", [...ids].sort()[0]!],
    code: 2,
    says: /\.leases\/[a-z0-9]+ is a symbolic link, not a file/,
    arrange: (sb) => plantLease(sb, "victim"),
  },
  {
    what: "a .retention-stamp planted as a link to another file",
    args: ["-b", "claude", "hi"],
    code: 2,
    says: /\.retention-stamp is a symbolic link, not a file/,
    arrange: (sb) => plant(sb, ".retention-stamp", "victim"),
  },
  {
    what: "a sessions directory writable by others",
    args: ["sessions", "list"],
    code: 2,
    says: /Refusing to use .*sessions: it is writable by others \(mode 0777\).*chmod go-w/,
    arrange: async (sb) => {
      await Deno.chmod(sb.sessionsDir, 0o777);
      return () => Deno.chmod(sb.sessionsDir, 0o700);
    },
  },
  {
    what: "a CLINVK_HOME writable by its group",
    args: ["-b", "claude", "hi"],
    code: 2,
    says: /Refusing to use .*: it is writable by its group \(mode 0770\)/,
    arrange: async (sb) => {
      await Deno.chmod(sb.home, 0o770);
      return () => Deno.chmod(sb.home, 0o700);
    },
  },
];

/** What a victim file holds; a planted link must never change it. */
const VICTIM_TEXT = "precious\n";

/**
 * Puts something that is not what clinvk expects at `sessions/<name>`: a FIFO, a directory,
 * a file, a link loop, a dangling link, a link to a victim file (checked untouched when
 * mended), or a link to the given path.
 */
async function plant(sb: Sandbox, name: string, what: string) {
  const path = join(sb.sessionsDir, name);
  await Deno.remove(path, { recursive: true }).catch(() => {});
  const victim = join(sb.work, "victim.txt");
  if (what === "fifo") {
    const made = await new Deno.Command("mkfifo", { args: [path] }).output();
    assert.equal(made.code, 0, "mkfifo");
  } else if (what === "dir") await Deno.mkdir(path);
  else if (what === "file") await Deno.writeTextFile(path, "not what clinvk expects\n");
  else if (what === "loop") await Deno.symlink(path, path);
  else if (what === "dangling") await Deno.symlink(`${path}.nothing`, path);
  else if (what === "victim") {
    await Deno.writeTextFile(victim, VICTIM_TEXT);
    await Deno.symlink(victim, path);
  } else await Deno.symlink(what, path);
  return async () => {
    if (what === "victim") assert.equal(await Deno.readTextFile(victim), VICTIM_TEXT);
    await Deno.remove(path, { recursive: true });
  };
}

/** Plants `what` at the lease of the first session (by id order). */
async function plantLease(sb: Sandbox, what: string) {
  const ids: string[] = [];
  for await (const entry of Deno.readDir(sb.sessionsDir)) {
    if (entry.name.endsWith(".json")) ids.push(entry.name.slice(0, -".json".length));
  }
  await Deno.mkdir(join(sb.sessionsDir, ".leases"), { recursive: true });
  return await plant(sb, join(".leases", ids.sort()[0]!), what);
}

/** Moves `sessions/` away and puts a file or a dangling link in its place. */
async function replaceSessionsDir(sb: Sandbox, what: "file" | "dangling") {
  const away = `${sb.sessionsDir}.away`;
  await Deno.rename(sb.sessionsDir, away);
  if (what === "file") await Deno.writeTextFile(sb.sessionsDir, "not a directory\n");
  else await Deno.symlink(`${sb.sessionsDir}.nothing`, sb.sessionsDir);
  return async () => {
    await Deno.remove(sb.sessionsDir);
    await Deno.rename(away, sb.sessionsDir);
  };
}

async function lockIsADirectory(sb: Sandbox) {
  const lock = join(sb.sessionsDir, ".lock");
  await Deno.remove(lock).catch(() => {});
  await Deno.mkdir(lock);
  return () => Deno.remove(lock);
}

/** A store on the sandbox's home, used from this process to seed and to check. */
function storeOf(sb: Sandbox): SessionStore {
  return createFileStore({
    home: sb.home,
    fs: Deno,
    clock: { now: () => new Date() },
    pid: Deno.pid,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    warn: (message) => assert.fail(`unexpected warning: ${message}`),
  });
}

/** Two sessions that must survive every case, byte for byte. */
async function seed(sb: Sandbox): Promise<Map<string, string>> {
  const store = storeOf(sb);
  const files = new Map<string, string>();
  for (const prompt of ["fix the bug in auth.go", "add tests"]) {
    const made = await store.create({
      backend: "claude",
      model: null,
      workdir: sb.work,
      prompt,
      tags: ["keep"],
    });
    files.set(made.id, await Deno.readTextFile(join(sb.sessionsDir, `${made.id}.json`)));
  }
  return files;
}

async function assertNothingLost(sb: Sandbox, files: Map<string, string>) {
  for (const [id, text] of files) {
    const now = await Deno.readTextFile(join(sb.sessionsDir, `${id}.json`));
    assert.equal(now, text, `session ${id} changed`);
  }
  const listed = (await storeOf(sb).list()).map((record) => record.id).sort();
  assert.deepEqual(listed, [...files.keys()].sort(), "the sessions are still listed");
}

/** Control characters but the newline that ends a line. */
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

function assertOneClearLine(stderr: string, says: RegExp) {
  assert.doesNotMatch(stderr, /^\s+at /m, `a stack trace:\n${stderr}`);
  assert.doesNotMatch(stderr, RAW_CONTROL, `raw control characters:\n${stderr}`);
  const lines = stderr.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0]!, /^clinvk: [A-Z"]/);
  assert.match(lines[0]!, says);
}

for (const bad of CASES) {
  Deno.test(`clinvk exits ${bad.code} with one clear line and loses nothing when given ${bad.what}`, async () => {
    await withSandbox(async (sb) => {
      const files = await seed(sb);
      const mend = await bad.arrange?.(sb);
      const args = typeof bad.args === "function" ? bad.args([...files.keys()]) : bad.args;
      const stdin = typeof bad.stdin === "function" ? bad.stdin() : bad.stdin;
      const result = await sb.run(args, {
        ...(stdin !== undefined ? { stdin } : {}),
        ...(bad.permissions ? { permissions: bad.permissions(sb) } : {}),
      });
      await mend?.();
      assert.equal(result.code, bad.code, result.stderr);
      assertOneClearLine(result.stderr, bad.says);
      assert.equal(result.stdout, "", "an error prints nothing on stdout");
      assert.deepEqual(await readFakeLog(sb.log), [], "no backend was started");
      await assertNothingLost(sb, files);
    });
  });
}

/**
 * A turn that goes wrong while its backend runs (issue 9.3, 9.4, 9.19): the documented exit
 * code, one clear line, the other sessions untouched, and no backend process left running.
 */
interface TurnCase {
  what: string;
  /** The arguments; `setup` may prepare a session and return them instead. */
  args?: string[];
  setup?: (sb: Sandbox) => Promise<string[]>;
  /** Sent to clinvk once its backend has started. */
  signal?: "SIGTERM" | "SIGHUP";
  code: number;
  says: RegExp;
  permissions?: (sb: Sandbox) => string[];
}

const TURN_CASES: TurnCase[] = [
  {
    what: "SIGTERM mid-turn (a cancelled CI job)",
    args: ["-b", "claude", "wait [[fake:hang]]"],
    signal: "SIGTERM",
    code: 143,
    says:
      /Claude Code was interrupted \(clinvk received SIGTERM\) \(session [a-z0-9]+; resume it with/,
  },
  {
    what: "SIGHUP mid-turn (a closed terminal)",
    args: ["-b", "codex", "wait [[fake:hang]]"],
    signal: "SIGHUP",
    code: 129,
    says: /Codex CLI was interrupted \(clinvk received SIGHUP\)/,
  },
  {
    what: "--timeout on a backend behind a wrapper script without exec",
    setup: async (sb) => {
      const wrapper = join(sb.dir, "claude-wrapper.sh");
      await Deno.writeTextFile(wrapper, `#!/bin/sh\n"${join(fakeBinDir, "claude")}" "$@"\n`);
      await Deno.chmod(wrapper, 0o755);
      await Deno.writeTextFile(
        join(sb.home, "config.yaml"),
        `backends:\n  claude:\n    command: ${wrapper}\n`,
      );
      return ["-b", "claude", "--timeout", "1", "wait [[fake:hang]]"];
    },
    code: 124,
    says: /Claude Code timed out after 1 s and was stopped/,
  },
  {
    what: "a Gemini fork without permission to write Gemini's chat folder",
    setup: async (sb) => {
      const made = await sb.json(["-b", "gemini", "-o", "json", "parent"]);
      return ["sessions", "fork", String(made.session_id), "child"];
    },
    permissions: (sb) =>
      RUN_PERMISSIONS.map((flag) => flag === "--allow-write" ? `--allow-write=${sb.home}` : flag),
    code: 2,
    says: /Permission denied: .*--allow-write/,
  },
];

for (const bad of TURN_CASES) {
  Deno.test(`clinvk exits ${bad.code} with one clear line, loses nothing and leaves no backend running on ${bad.what}`, async () => {
    await withSandbox(async (sb) => {
      const files = await seed(sb);
      const args = bad.setup ? await bad.setup(sb) : bad.args!;
      const calls = (await readFakeLog(sb.log)).length;
      const permissions = bad.permissions?.(sb);
      let result;
      if (bad.signal) {
        const child = spawnClinvk(clinvkEnv(sb, sb.home), args, {
          cwd: sb.work,
          ...(permissions ? { permissions } : {}),
        });
        while ((await readFakeLog(sb.log)).length === calls) {
          await new Promise((r) => setTimeout(r, 50));
        }
        // The backend has started; let clinvk record its id, then stop it.
        await new Promise((r) => setTimeout(r, 300));
        child.kill(bad.signal);
        const output = await child.output();
        result = { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
      } else {
        result = await sb.run(args, permissions ? { permissions } : {});
      }
      assert.equal(result.code, bad.code, result.stderr);
      assertOneClearLine(result.stderr, bad.says);
      for (const call of (await readFakeLog(sb.log)).slice(calls)) {
        assert.equal(await stillRunning(call.pid), false, `${call.cli} outlived the turn`);
      }
      for (const [id, text] of files) {
        assert.equal(await Deno.readTextFile(join(sb.sessionsDir, `${id}.json`)), text);
      }
    });
  });
}

Deno.test(
  !modesBind
    ? "clinvk still lists the sessions of a chmod 000 CLINVK_HOME when run as root (modes do not bind root)"
    : "clinvk exits 2 with one clear line and loses nothing when CLINVK_HOME is chmod 000",
  async () => {
    await withSandbox(async (sb) => {
      const files = await seed(sb);
      await Deno.chmod(sb.home, 0o000);
      let result;
      try {
        result = await sb.run(["sessions", "list", "--json"]);
      } finally {
        await Deno.chmod(sb.home, 0o700);
      }
      if (!modesBind) {
        // Root reads through any mode; the unreadable case is covered by the Deno-permission
        // row of the matrix above. Here: it works, and quietly.
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, "");
        const ids = (JSON.parse(result.stdout) as { id: string }[]).map((item) => item.id);
        assert.deepEqual(ids.sort(), [...files.keys()].sort());
      } else {
        assert.equal(result.code, 2, result.stderr);
        assertOneClearLine(result.stderr, /permission denied/i);
      }
      await assertNothingLost(sb, files);
    });
  },
);

/** Output captured in memory. */
function capture(): Output & { text: () => string } {
  let text = "";
  return {
    write: (chunk: string) => void (text += chunk),
    isTerminal: () => false,
    columns: () => undefined,
    text: () => text,
  };
}

/**
 * The real file system, except that while `full()` every write of data fails the way a full
 * disk does: files can still be opened, but writing bytes into them gives ENOSPC.
 */
function fullDiskFs(full: () => boolean): Fs {
  const enospc = (path: string) =>
    Object.assign(new Error(`No space left on device (os error 28): write '${path}'`), {
      code: "ENOSPC",
    });
  return {
    ...Deno,
    async open(path, options) {
      const file = await Deno.open(path, options);
      if (!options?.write && !options?.append) return file;
      return new Proxy(file, {
        get(target, key) {
          if (key === "write") {
            return (data: Uint8Array) =>
              full() ? Promise.reject(enospc(String(path))) : target.write(data);
          }
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
    writeFile: (path, data, options) =>
      full() ? Promise.reject(enospc(String(path))) : Deno.writeFile(path, data, options),
    writeTextFile: (path, data, options) =>
      full() ? Promise.reject(enospc(String(path))) : Deno.writeTextFile(path, data, options),
  };
}

Deno.test("runCli() fails with one clear line and loses nothing when the disk is full", async () => {
  await withSandbox(async (sb) => {
    const files = await seed(sb);
    const [first] = [...files.keys()];
    let full = true;
    const run = async (args: string[]) => {
      const stdout = capture();
      const stderr = capture();
      const platform: Platform = {
        ...denoPlatform(),
        fs: fullDiskFs(() => full),
        env: { get: (name) => sb.env[name as keyof typeof sb.env] },
        cwd: () => sb.work,
        stdout,
        stderr,
      };
      const code = await runCli(args, platform);
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    };
    // Session writes fail like any failed command (1); the config file's like a config error (2).
    const attempts: [string[], number][] = [
      [["sessions", "tag", first!, "new-tag"], 1],
      [["-b", "claude", "a new session"], 1],
      [["config", "set", "output.color", "never"], 2],
    ];
    for (const [args, code] of attempts) {
      const result = await run(args);
      assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
      assertOneClearLine(result.stderr, /Cannot write .*No space left on device.*Free some/);
    }
    full = false; // Space freed: the next command works without repair.
    const listed = await run(["sessions", "list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { id: string }[]).map((item) => item.id).sort(),
      [...files.keys()].sort(),
    );
    await assertNothingLost(sb, files);
  });
});

Deno.test({
  name:
    "clinvk exits 2 with one clear line and creates nothing when CLINVK_HOME belongs to another user",
  // Only root can give a directory away; for anyone else the case cannot be set up.
  ignore: modesBind,
  async fn() {
    await withSandbox(async (sb) => {
      const files = await seed(sb);
      await Deno.chown(sb.home, 65534, 65534);
      let result;
      try {
        result = await sb.run(["-b", "claude", "hi"]);
      } finally {
        await Deno.chown(sb.home, 0, 0);
      }
      assert.equal(result.code, 2, result.stderr);
      assertOneClearLine(
        result.stderr,
        /Refusing to use .*: it is owned by user 65534, not by you/,
      );
      await assertNothingLost(sb, files);
    });
  },
});

/** The real file system as a read-only mount shows it: every write fails with EROFS. */
function readOnlyFs(): Fs {
  const erofs = (path: string | URL) =>
    Promise.reject(
      Object.assign(new Error(`Read-only file system (os error 30): '${path}'`), {
        code: "EROFS",
      }),
    );
  return {
    ...Deno,
    open: (path, options) =>
      options?.write || options?.append || options?.create || options?.createNew
        ? erofs(path)
        : Deno.open(path, options),
    writeFile: (path) => erofs(path),
    writeTextFile: (path) => erofs(path),
    rename: (from) => erofs(from),
    remove: (path) => erofs(path),
    mkdir: (path) => erofs(path),
    chmod: (path) => erofs(path),
    copyFile: (from) => erofs(from),
  };
}

Deno.test("runCli() answers read commands from the files on a read-only store, saying so once", async () => {
  await withSandbox(async (sb) => {
    const files = await seed(sb);
    // A session the catalog has not seen yet, so the read would have to update it. Written a
    // clock tick after the catalog's last sync: within one tick the directory's mtime cannot
    // tell (src/sessions/catalog_sync.ts), which made this test fail at random under load.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const resumable = "handmade01";
    const record = JSON.parse([...files.values()][0]!);
    await Deno.writeTextFile(
      join(sb.sessionsDir, `${resumable}.json`),
      JSON.stringify({
        ...record,
        id: resumable,
        backend_session_id: "1a4567ab-74ee-4e74-9b03-fd57ec5a791e",
        status: "completed",
        last_used_at: "2030-01-01T00:00:00Z",
      }),
    );
    const run = async (args: string[]) => {
      const stdout = capture();
      const stderr = capture();
      const platform: Platform = {
        ...denoPlatform(),
        fs: readOnlyFs(),
        openSqlite: (path) => new DatabaseSync(path, { readOnly: true }),
        env: { get: (name) => sb.env[name as keyof typeof sb.env] },
        cwd: () => sb.work,
        stdout,
        stderr,
      };
      const code = await runCli(args, platform);
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    };
    const listed = await run(["sessions", "list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    // A warning, not an error: one line, said once.
    assert.match(
      listed.stderr,
      /^clinvk: warning: Cannot update the session catalog .*\(attempt to write a readonly database\); reading the session files directly\n$/,
    );
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { id: string }[]).map((item) => item.id).sort(),
      [...files.keys(), resumable].sort(),
    );
    const dry = await run(["-c", "--dry-run", "x"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /--resume 1a4567ab-74ee-4e74-9b03-fd57ec5a791e/);
    const limited = await run(["sessions", "list", "--limit", "1"]);
    assert.equal(limited.code, 0, limited.stderr);
    assert.match(limited.stdout, /handmade01/);
    // A write still fails with the disk's own one line.
    const tag = await run(["sessions", "tag", resumable, "x"]);
    assert.equal(tag.code, 1, tag.stderr);
    assertOneClearLine(tag.stderr, /Cannot write .*Read-only file system.*read-only/);
  });
});

// The disk filling while a backend works (issue 9.18, the turn part), in process.
Deno.test("when the disk fills during a turn, the answer is shown and the message names the session and what was not saved", async () => {
  await using sb = await inProcess();
  sb.script = () => sample("claude", "new-stream-json");
  const first = await sb.json(["-b", "claude", "-o", "json", "first"]);
  const id = String(first.session_id);
  const before = await Deno.readTextFile(join(sb.home, "sessions", `${id}.json`));
  let full = false;
  const real = sb.platform.fs;
  const enospc = () =>
    Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
  sb.platform.fs = {
    ...real,
    open: async (path, options) => {
      if (full && (options?.write || options?.append || options?.create)) throw enospc();
      return await real.open(path, options);
    },
    writeFile: (path, data, options) =>
      full ? Promise.reject(enospc()) : real.writeFile(path, data, options),
    writeTextFile: (path, data, options) =>
      full ? Promise.reject(enospc()) : real.writeTextFile(path, data, options),
  };
  sb.script = () => ({ ...sample("claude", "resume-stream-json"), onStart: () => (full = true) });
  const result = await sb.run(["resume", id, "second"]);
  full = false;
  assert.equal(result.code, 1, result.stderr);
  assertIncludes(result.stdout, "ECHO turn=2");
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0]!,
    new RegExp(`not saved to session ${id}: its turn count, token usage and status`),
  );
  assertIncludes(lines[0]!, "Free some disk space");
  // The file was not damaged: it is the one from before the turn, or with its status active.
  const after = JSON.parse(await Deno.readTextFile(join(sb.home, "sessions", `${id}.json`)));
  assert.equal(after.turn_count, JSON.parse(before).turn_count);
});
