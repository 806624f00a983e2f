import assert from "node:assert/strict";
import { LAZY_MODULES } from "../../src/lazy_import.ts";
import { WORKER_MODULES } from "../../src/worker_modules.ts";
import { fileURLToPath } from "node:url";
import {
  checksumLine,
  checkVersion,
  compilePlan,
  CompilePlanError,
  formatCommand,
  isRuntimeDownloadFailure,
  parseCompileArgs,
  runtimeDownloadMessage,
  TARGETS,
} from "../../scripts/compile_plan.ts";
import { permissionFlags, PERMISSIONS } from "../../src/permissions.ts";
import { VERSION } from "../../src/version.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ALL_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

function throwsPlanError(fn: () => unknown, includes: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CompilePlanError, `expected CompilePlanError, got ${error}`);
    assert.ok(error.message.includes(includes), `"${error.message}" lacks "${includes}"`);
    return true;
  });
}

Deno.test("compilePlan() builds one step per release target, in order", () => {
  const steps = compilePlan({ version: "1.2.3", sourceVersion: "1.2.3" });
  assert.deepEqual(steps.map((step) => step.target), ALL_TARGETS);
  assert.deepEqual([...TARGETS], ALL_TARGETS);
});

Deno.test("compilePlan() stamps the version into the names and adds .exe only for Windows", () => {
  const steps = compilePlan({ version: "1.2.3-rc.1", sourceVersion: "1.2.3-rc.1" });
  assert.deepEqual(steps.map((step) => step.output), [
    "dist/clinvk-1.2.3-rc.1-x86_64-unknown-linux-gnu",
    "dist/clinvk-1.2.3-rc.1-aarch64-unknown-linux-gnu",
    "dist/clinvk-1.2.3-rc.1-x86_64-apple-darwin",
    "dist/clinvk-1.2.3-rc.1-aarch64-apple-darwin",
    "dist/clinvk-1.2.3-rc.1-x86_64-pc-windows-msvc.exe",
  ]);
});

Deno.test("compilePlan() passes the permission flags, target, output and entry point to deno compile", () => {
  const [step] = compilePlan({
    version: "0.1.0",
    sourceVersion: "0.1.0",
    targets: ["aarch64-apple-darwin"],
  });
  assert.deepEqual(step?.args, [
    "compile",
    ...permissionFlags(),
    "--target",
    "aarch64-apple-darwin",
    "--output",
    "dist/clinvk-0.1.0-aarch64-apple-darwin",
    ...LAZY_MODULES.flatMap((path) => ["--include", path]),
    "--include",
    "src/sessions/session_scan_worker.ts",
    "src/main.ts",
  ]);
});

Deno.test("permissionFlags() grants read, write, env, run and loopback net only, never all", () => {
  assert.deepEqual(permissionFlags(), [
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-run",
    "--allow-net=127.0.0.1",
  ]);
  for (const step of compilePlan({ version: "0.1.0", sourceVersion: "0.1.0" })) {
    for (const arg of step.args) {
      assert.ok(!/^(-A|--allow-all|-N)$/.test(arg), `forbidden flag ${arg}`);
      assert.ok(!/^--allow-net($|=.*(0\.0\.0\.0|,))/.test(arg), `net beyond loopback: ${arg}`);
    }
  }
});

Deno.test("PERMISSIONS is the README's Permissions table, row for row", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.split(/^## /m).find((part) => part.startsWith("Permissions\n")) ?? "";
  // deno fmt pads table cells, so compare trimmed cells.
  const rows = [...section.matchAll(/^\| `(--allow-[a-z]+(?:=[^`]+)?)` +\| (.+?) *\|$/gm)]
    .map(([, flag, why]) => ({ flag, why }));
  assert.deepEqual(rows, PERMISSIONS.map(({ flag, why }) => ({ flag, why })));
});

Deno.test("the clinvk task and the README's run line use exactly permissionFlags()", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const taskFlags = String(config.tasks.clinvk).split(" ").filter((word) => word.startsWith("-"));
  assert.deepEqual(taskFlags, permissionFlags());
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const runLine = readme.match(/^deno run (.*) src\/main\.ts/m)?.[1] ?? "";
  assert.deepEqual(runLine.split(" "), permissionFlags());
});

Deno.test("compilePlan() rejects a deno.json version that differs from src/version.ts", () => {
  throwsPlanError(
    () => compilePlan({ version: "0.2.0", sourceVersion: "0.1.0" }),
    'deno.json has "0.2.0" but src/version.ts has "0.1.0"',
  );
});

Deno.test("checkVersion() rejects a version that is not semver", () => {
  throwsPlanError(() => checkVersion("1.2", "1.2"), 'Invalid version "1.2"');
  throwsPlanError(() => checkVersion("1.2.3/../x", "1.2.3/../x"), "expected semver");
  assert.equal(checkVersion("1.2.3+build.5", "1.2.3+build.5"), "1.2.3+build.5");
});

Deno.test("compilePlan() builds only the named targets, in the given order, once each", () => {
  const steps = compilePlan({
    version: "0.1.0",
    sourceVersion: "0.1.0",
    targets: ["x86_64-pc-windows-msvc", "x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"],
  });
  assert.deepEqual(steps.map((step) => step.target), [
    "x86_64-pc-windows-msvc",
    "x86_64-unknown-linux-gnu",
  ]);
});

Deno.test("compilePlan() rejects an unknown target and lists the valid ones", () => {
  throwsPlanError(
    () => compilePlan({ version: "0.1.0", sourceVersion: "0.1.0", targets: ["x86_64-linux"] }),
    `Unknown target "x86_64-linux": expected one of ${ALL_TARGETS.join(", ")}`,
  );
});

Deno.test("compilePlan() writes to --out, ignoring a trailing slash", () => {
  const [step] = compilePlan({
    version: "0.1.0",
    sourceVersion: "0.1.0",
    outDir: "build/bin/",
    targets: ["x86_64-apple-darwin"],
  });
  assert.equal(step?.output, "build/bin/clinvk-0.1.0-x86_64-apple-darwin");
  assert.ok(step?.args.includes("build/bin/clinvk-0.1.0-x86_64-apple-darwin"));
  throwsPlanError(
    () => compilePlan({ version: "0.1.0", sourceVersion: "0.1.0", outDir: "/" }),
    "empty",
  );
});

Deno.test("compilePlan() with DENORT_BIN requires exactly one target", () => {
  throwsPlanError(
    () => compilePlan({ version: "0.1.0", sourceVersion: "0.1.0", denortBin: "/opt/denort" }),
    "only one target can be built (got 5)",
  );
  const steps = compilePlan({
    version: "0.1.0",
    sourceVersion: "0.1.0",
    denortBin: "/opt/denort",
    targets: ["aarch64-unknown-linux-gnu"],
  });
  assert.equal(steps.length, 1);
});

Deno.test("parseCompileArgs() reads repeated --target, --out and --plan in both spellings", () => {
  assert.deepEqual(
    parseCompileArgs(["--target", "a", "--target=b", "--out=build", "--plan"]),
    { targets: ["a", "b"], outDir: "build", planOnly: true, help: false },
  );
  assert.deepEqual(parseCompileArgs([]), {
    targets: [],
    outDir: undefined,
    planOnly: false,
    help: false,
  });
  assert.equal(parseCompileArgs(["-h"]).help, true);
});

Deno.test("parseCompileArgs() rejects unknown flags and missing values", () => {
  throwsPlanError(() => parseCompileArgs(["--targets", "x"]), 'Unknown argument "--targets"');
  throwsPlanError(() => parseCompileArgs(["--out"]), "Missing value for --out");
  throwsPlanError(() => parseCompileArgs(["--target="]), "Missing value for --target");
});

Deno.test("formatCommand() prints a pasteable deno compile line, quoting only when needed", () => {
  const [step] = compilePlan({
    version: "0.1.0",
    sourceVersion: "0.1.0",
    outDir: "my dist",
    targets: ["x86_64-unknown-linux-gnu"],
  });
  assert.ok(step !== undefined);
  assert.equal(
    formatCommand(step),
    "deno compile --allow-read --allow-write --allow-env --allow-run --allow-net=127.0.0.1 " +
      "--target x86_64-unknown-linux-gnu --output 'my dist/clinvk-0.1.0-x86_64-unknown-linux-gnu' " +
      [...LAZY_MODULES, ...WORKER_MODULES].map((path) => `--include ${path} `).join("") +
      "src/main.ts",
  );
});

// What Deno 2.9.6's `deno compile --target aarch64-apple-darwin` printed on a machine without
// network access (colours as deno emits them; temp-file suffix kept).
const OFFLINE_STDERR =
  "\x1b[0m\x1b[32mCompile\x1b[0m src/main.ts to dist/clinvk-0.1.0-aarch64-apple-darwin\n" +
  "\x1b[0m\x1b[32mDownload\x1b[0m https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip\n" +
  "\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file " +
  "'dist/clinvk-0.1.0-aarch64-apple-darwin.tmp-87dbabe3e94f51e0'\n\nCaused by:\n" +
  "    0: Setting up base binary.\n" +
  "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip): " +
  "client error (Connect): dns error: failed to lookup address information: Name or service not known\n" +
  "    2: client error (Connect)\n    3: dns error\n" +
  "    4: failed to lookup address information: Name or service not known\n\n" +
  "Stack backtrace:\n   0: <unknown>\n";

Deno.test("isRuntimeDownloadFailure() recognises deno compile failing to reach Deno's servers", () => {
  assert.equal(isRuntimeDownloadFailure(OFFLINE_STDERR), true);
});

Deno.test("isRuntimeDownloadFailure() does not blame the network for other failures", () => {
  // A networked build names the download URL too; only the failure lines count.
  const downloadLine = OFFLINE_STDERR.split("\n").slice(0, 2).join("\n");
  assert.equal(isRuntimeDownloadFailure(downloadLine), false);
  const badDenort = "error: Writing deno compile executable to temporary file 'dist/x.tmp'\n\n" +
    "Caused by:\n    0: Could not find denort at '/opt/denort'\n" +
    "    1: No such file or directory (os error 2)\n";
  assert.equal(isRuntimeDownloadFailure(badDenort), false);
  const typeError = "TS2307 [ERROR]: Cannot find module 'file:///work/src/x.ts'.\n" +
    "error: Type checking failed.\n";
  assert.equal(isRuntimeDownloadFailure(typeError), false);
});

Deno.test("runtimeDownloadMessage() is one line naming the target and the ways out", () => {
  assert.equal(
    runtimeDownloadMessage("aarch64-apple-darwin"),
    "compile: cannot download the Deno runtime for aarch64-apple-darwin (no network access to " +
      "Deno's servers); set DENORT_BIN to a local denort binary or run on a networked machine",
  );
});

Deno.test("checksumLine() writes sha256sum's format with the file's base name", async () => {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"));
  const hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert.equal(checksumLine(digest, "dist/clinvk-0.1.0-x.exe"), `${hex}  clinvk-0.1.0-x.exe\n`);
  assert.equal(checksumLine(digest, "C:\\out\\clinvk"), `${hex}  clinvk\n`);
});

// scripts/compile.ts itself, run as `deno task compile` would (minimal permissions), with the
// output directory in a temp dir. A real runtime download is not exercised: it needs network.

const HOST = TARGETS.find((target) => target === Deno.build.target);

async function runCompileScript(outDir: string, args: string[], denortBin = "") {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=${outDir}`,
      `--allow-write=${outDir}`,
      "--allow-run=deno",
      "--allow-env=DENORT_BIN",
      "scripts/compile.ts",
      "--out",
      outDir,
      ...args,
    ],
    cwd: ROOT,
    env: { DENORT_BIN: denortBin, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("compile.ts --plan prints every target and command and builds nothing", async () => {
  const temp = await Deno.makeTempDir();
  try {
    const outDir = `${temp}/dist`;
    const result = await runCompileScript(outDir, ["--plan"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 10);
    assert.equal(
      lines[0],
      `x86_64-unknown-linux-gnu → ${outDir}/clinvk-${VERSION}-x86_64-unknown-linux-gnu`,
    );
    assert.match(lines[9] ?? "", /^ {2}deno compile --allow-read .* src\/main\.ts$/);
    await assert.rejects(Deno.stat(outDir), Deno.errors.NotFound);
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
});

Deno.test("compile.ts exits 2 with one line for an unknown target", async () => {
  const temp = await Deno.makeTempDir();
  try {
    const result = await runCompileScript(temp, ["--target", "riscv"]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^compile: Unknown target "riscv": expected one of [^\n]+\n$/);
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
});

Deno.test({
  name: "compile.ts writes the binary and a matching .sha256 when deno compile succeeds",
  // DENORT_BIN must run on this machine; every CI host is a release target.
  ignore: HOST === undefined,
  async fn() {
    const temp = await Deno.makeTempDir();
    try {
      // The deno executable stands in for denort: deno compile only appends to it, which is
      // all this test needs (the result is not run).
      const result = await runCompileScript(temp, ["--target", HOST ?? ""], Deno.execPath());
      assert.equal(result.code, 0, result.stderr);
      const name = `clinvk-${VERSION}-${HOST}${HOST?.includes("windows") ? ".exe" : ""}`;
      const binary = await Deno.readFile(`${temp}/${name}`);
      const digest = await crypto.subtle.digest("SHA-256", binary);
      const checksum = await Deno.readTextFile(`${temp}/${name}.sha256`);
      assert.equal(checksum, checksumLine(digest, name));
      assert.match(checksum, /^[0-9a-f]{64} {2}clinvk-/);
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
});

Deno.test({
  name: "compile.ts shows deno's error and exits 1 when deno compile fails otherwise",
  ignore: HOST === undefined,
  async fn() {
    const temp = await Deno.makeTempDir();
    try {
      const missing = `${temp}/no-such-denort`;
      const result = await runCompileScript(temp, ["--target", HOST ?? ""], missing);
      assert.equal(result.code, 1);
      assert.ok(result.stderr.includes("Could not find denort"), result.stderr);
      assert.ok(
        result.stderr.endsWith(`compile: deno compile failed for ${HOST} (exit 1)\n`),
        result.stderr,
      );
      assert.ok(!result.stderr.includes("cannot download"), result.stderr);
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
});
