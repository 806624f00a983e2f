/**
 * `deno task compile`: builds the standalone clinvk binaries listed by
 * {@linkcode compilePlan} and writes a `.sha256` file beside each.
 *
 * Needs only `--allow-read=dist --allow-write=dist --allow-run=deno --allow-env=DENORT_BIN`:
 * the version comes from static imports of `deno.json` and `src/version.ts`, and the
 * `deno compile` child runs with its own (unrestricted) permissions.
 * @module
 */
import denoConfig from "../deno.json" with { type: "json" };
import { VERSION } from "../src/version.ts";
import {
  checksumLine,
  compilePlan,
  type CompileStep,
  formatCommand,
  isRuntimeDownloadFailure,
  parseCompileArgs,
  runtimeDownloadMessage,
  USAGE,
} from "./compile_plan.ts";
import { denoExecutable } from "./deno_executable.ts";

const encoder = new TextEncoder();

function say(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

/** Runs the script with `args` and returns its exit code (0 ok, 1 build failed, 2 usage). */
async function main(args: string[]): Promise<number> {
  let steps: CompileStep[];
  let planOnly: boolean;
  try {
    const parsed = parseCompileArgs(args);
    if (parsed.help) {
      console.log(USAGE);
      return 0;
    }
    planOnly = parsed.planOnly;
    steps = compilePlan({
      version: denoConfig.version,
      sourceVersion: VERSION,
      outDir: parsed.outDir,
      targets: parsed.targets,
      denortBin: Deno.env.get("DENORT_BIN") || undefined,
    });
  } catch (error) {
    say(`compile: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }

  for (const step of steps) {
    console.log(`${step.target} → ${step.output}`);
    console.log(`  ${formatCommand(step)}`);
  }
  if (planOnly) return 0;

  const deno = denoExecutable();
  for (const step of steps) {
    const ok = await build(deno, step);
    if (!ok) return 1;
  }
  return 0;
}

/** Builds one step and writes its checksum; says why on stderr and returns false on failure. */
async function build(deno: string, step: CompileStep): Promise<boolean> {
  say(`compile: building ${step.output}`);
  // stderr is held back so a failed runtime download can be reported as one line instead of
  // deno's multi-line error with a backtrace; DENORT_BIN reaches deno through the inherited
  // environment.
  const result = await new Deno.Command(deno, {
    args: [...step.args],
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  if (!result.success) {
    if (isRuntimeDownloadFailure(stderr)) {
      say(runtimeDownloadMessage(step.target));
    } else {
      Deno.stderr.writeSync(result.stderr);
      say(`compile: deno compile failed for ${step.target} (exit ${result.code})`);
    }
    return false;
  }
  Deno.stderr.writeSync(result.stderr);
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(step.output));
  await Deno.writeTextFile(`${step.output}.sha256`, checksumLine(digest, step.output));
  say(`compile: wrote ${step.output} and ${step.output}.sha256`);
  return true;
}

if (import.meta.main) {
  try {
    Deno.exitCode = await main(Deno.args);
  } catch (error) {
    // Typically a permission the task does not grant (e.g. --out outside dist/): one line.
    say(`compile: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exitCode = 1;
  }
}
