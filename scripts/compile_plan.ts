/**
 * What `deno task compile` does, as data: the targets, the output names and the exact
 * `deno compile` argv for each, plus the small pure pieces of the script around it (flag
 * parsing, recognising a failed runtime download, the checksum line). No I/O here, so all of
 * it is tested without building anything.
 * @module
 */
import { LAZY_MODULES } from "../src/lazy_import.ts";
import { WORKER_MODULES } from "../src/worker_modules.ts";
import { permissionFlags } from "../src/permissions.ts";
import { VERSION } from "../src/version.ts";

/** Every platform a release ships a binary for, in the order they are built. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of {@linkcode TARGETS}. */
export type Target = typeof TARGETS[number];

/** The program compiled into every binary. */
export const ENTRY_POINT = "src/main.ts";

/** One `deno compile` run: which target, where the binary goes, and the argv after `deno`. */
export interface CompileStep {
  /** The Rust-style target triple passed to `deno compile --target`. */
  readonly target: Target;
  /** Path of the binary, e.g. `dist/clinvk-0.1.0-x86_64-apple-darwin`. */
  readonly output: string;
  /** Arguments for the `deno` executable, starting with `compile`. */
  readonly args: readonly string[];
}

/** Inputs of {@linkcode compilePlan}. */
export interface CompilePlanOptions {
  /** The version in `deno.json`; it names the binaries. */
  readonly version: string;
  /** `VERSION` from `src/version.ts`, which the binary reports; must equal `version`. */
  readonly sourceVersion?: string;
  /** Directory for the binaries; `dist` when not given. */
  readonly outDir?: string;
  /** Targets to build, in order; every target in {@linkcode TARGETS} when absent or empty. */
  readonly targets?: readonly string[];
  /** `DENORT_BIN` from the environment, if set: one local runtime, so one target only. */
  readonly denortBin?: string;
}

/** A plan that cannot be built as asked; the message says what to change. */
export class CompilePlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompilePlanError";
  }
}

// Semver without anything that could break a file name: the version ends up in one.
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * The `deno compile` steps for a release: one per target, permissions from
 * `src/permissions.ts`, the version stamped into each output name.
 *
 * @throws {CompilePlanError} when the two version sources differ, the version is not semver,
 * a target is unknown, or `DENORT_BIN` is set for more than one target.
 *
 * @example
 * ```ts
 * import { compilePlan } from "./compile_plan.ts";
 * const [step] = compilePlan({ version: "0.1.0", sourceVersion: "0.1.0", targets: ["x86_64-pc-windows-msvc"] });
 * // step.output === "dist/clinvk-0.1.0-x86_64-pc-windows-msvc.exe"
 * ```
 */
export function compilePlan(options: CompilePlanOptions): CompileStep[] {
  const version = checkVersion(options.version, options.sourceVersion ?? VERSION);
  const outDir = (options.outDir ?? "dist").replace(/[\\/]+$/, "");
  if (outDir === "") {
    throw new CompilePlanError("Output directory is empty: pass --out with a directory name");
  }
  const targets = selectTargets(options.targets ?? []);
  if (options.denortBin !== undefined && targets.length !== 1) {
    // A denort binary runs on exactly one platform; reusing it for others would ship binaries
    // that cannot start there.
    throw new CompilePlanError(
      `DENORT_BIN is set, so only one target can be built (got ${targets.length}): ` +
        "pass exactly one --target",
    );
  }
  return targets.map((target) => {
    const output = `${outDir}/${binaryName(version, target)}`;
    const args = [
      "compile",
      ...permissionFlags(),
      "--target",
      target,
      "--output",
      output,
      // Modules loaded by a computed specifier are not in the graph deno compile follows.
      ...LAZY_MODULES.flatMap((path) => ["--include", path]),
      // Nor are worker threads' modules.
      ...WORKER_MODULES.flatMap((path) => ["--include", path]),
      ENTRY_POINT,
    ];
    return { target, output, args };
  });
}

/**
 * Checks that `deno.json`'s version (which names the release) and `src/version.ts`'s
 * `VERSION` (which `clinvk --version` prints) agree, and returns it.
 *
 * @throws {CompilePlanError} when they differ or the version is not semver.
 */
export function checkVersion(configVersion: string, sourceVersion: string): string {
  if (configVersion !== sourceVersion) {
    throw new CompilePlanError(
      `Version mismatch: deno.json has "${configVersion}" but src/version.ts has ` +
        `"${sourceVersion}"; make them equal before compiling`,
    );
  }
  if (!SEMVER.test(configVersion)) {
    throw new CompilePlanError(
      `Invalid version "${configVersion}" in deno.json: expected semver such as 1.2.3`,
    );
  }
  return configVersion;
}

/** `clinvk-<version>-<target>`, with `.exe` for Windows only. */
export function binaryName(version: string, target: Target): string {
  const extension = target.includes("windows") ? ".exe" : "";
  return `clinvk-${version}-${target}${extension}`;
}

function selectTargets(requested: readonly string[]): Target[] {
  if (requested.length === 0) return [...TARGETS];
  const selected: Target[] = [];
  for (const name of requested) {
    const target = TARGETS.find((known) => known === name);
    if (target === undefined) {
      throw new CompilePlanError(
        `Unknown target "${name}": expected one of ${TARGETS.join(", ")}`,
      );
    }
    if (!selected.includes(target)) selected.push(target);
  }
  return selected;
}

/** What the command line of `scripts/compile.ts` asked for. */
export interface CompileArgs {
  /** Targets named with `--target`, in order; empty means all. */
  readonly targets: string[];
  /** `--out`, if given. */
  readonly outDir: string | undefined;
  /** `--plan`: print the steps and build nothing. */
  readonly planOnly: boolean;
  /** `--help` or `-h`. */
  readonly help: boolean;
}

/** Usage text of `deno task compile`. */
export const USAGE = `Usage: deno task compile [--target TARGET]... [--out DIR] [--plan]

Builds standalone clinvk binaries with deno compile, each with a .sha256 file beside it.

  --target TARGET  build only TARGET (repeatable); default: all of
                   ${TARGETS.join("\n                   ")}
  --out DIR        write the binaries to DIR (default: dist)
  --plan           print the steps and the deno compile commands, build nothing

DENORT_BIN=path uses a local Deno runtime instead of downloading one (one --target only).`;

/**
 * Parses the arguments of `scripts/compile.ts`; `--flag value` and `--flag=value` both work.
 *
 * @throws {CompilePlanError} on an unknown flag or a flag missing its value.
 */
export function parseCompileArgs(args: readonly string[]): CompileArgs {
  const targets: string[] = [];
  let outDir: string | undefined;
  let planOnly = false;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const [name, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined || next === "") {
        throw new CompilePlanError(`Missing value for ${name}: see --help`);
      }
      return next;
    };
    switch (name) {
      case "--target":
        targets.push(value());
        break;
      case "--out":
        outDir = value();
        break;
      case "--plan":
        planOnly = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new CompilePlanError(`Unknown argument "${arg}": see --help`);
    }
  }
  return { targets, outDir, planOnly, help };
}

/**
 * The `deno compile` command of a step as one shell-pasteable line (for printing only; the
 * script itself passes the argv array, never a shell string).
 */
export function formatCommand(step: CompileStep): string {
  const quote = (arg: string) =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
  return ["deno", ...step.args].map(quote).join(" ");
}

// deno compile fetches the runtime ("denort") for the target from Deno's servers unless
// DENORT_BIN is set; these are the ways that download has been seen to fail (the first from
// Deno 2.9.6 without network: "error sending request for url (https://dl.deno.land/...):
// client error (Connect): dns error: failed to lookup address information").
const DOWNLOAD_FAILURE = [
  /error sending request for url/i,
  /failed downloading/i,
  /dns error/i,
  /failed to lookup address/i,
];

/**
 * Whether `deno compile`'s stderr says it failed because the runtime could not be downloaded,
 * as opposed to a type error or a bad `DENORT_BIN`. Only meaningful for a failed run: a
 * successful one also names the download URL.
 */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return DOWNLOAD_FAILURE.some((pattern) => pattern.test(stderr));
}

/** The one line printed instead of deno's backtrace when the runtime cannot be downloaded. */
export function runtimeDownloadMessage(target: string): string {
  return `compile: cannot download the Deno runtime for ${target} (no network access to ` +
    "Deno's servers); set DENORT_BIN to a local denort binary or run on a networked machine";
}

/**
 * The contents of `<binary>.sha256`, in the format `sha256sum -c` reads: the hex digest, two
 * spaces, the file's base name (so the check works from inside the download folder).
 */
export function checksumLine(digest: ArrayBuffer, output: string): string {
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  const name = output.slice(Math.max(output.lastIndexOf("/"), output.lastIndexOf("\\")) + 1);
  return `${hex}  ${name}\n`;
}
