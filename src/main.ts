/**
 * clinvk's entry point: builds the real platform, runs the app, and sets the exit code. The
 * only place that exits.
 * @module
 */
import { ExitCode } from "./errors.ts";
import { versionRequest, versionText } from "./cli/version_info.ts";
import { lazyImport } from "./lazy_import.ts";
import type { Platform } from "./platform/types.ts";
import { VERSION } from "./version.ts";

/**
 * The command tree, loaded for every command but `clinvk version`. Loading a module by a
 * computed name needs read access to clinvk's own files when it runs from source: without it,
 * one line naming the flag (exit 2), as for every missing permission.
 */
async function commandTree(
  stderr: { write(text: string): void },
): Promise<typeof import("./cli/app_main.ts") | undefined> {
  try {
    return await lazyImport<typeof import("./cli/app_main.ts")>("src/cli/app_main.ts");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/^Requires \w+ access/.test(message)) throw error;
    stderr.write(`clinvk: Permission denied: ${message.replace(/\.$/, "")}.\n`);
    return undefined;
  }
}

/**
 * Runs clinvk with `args` on `platform` and returns the exit code. Used by `main` and by the
 * in-process tests.
 */
export async function runCli(args: string[], platform: Platform): Promise<number> {
  // `clinvk version` is the start-up floor: it answers before the command tree is even loaded.
  const asked = versionRequest(args);
  if (asked) {
    platform.stdout.write(asked.short ? `${VERSION}\n` : versionText(platform, asked.json));
    return ExitCode.Ok;
  }
  const tree = await commandTree(platform.stderr);
  return tree ? await tree.runApp(args, platform) : ExitCode.Usage;
}

if (import.meta.main) {
  const asked = versionRequest(Deno.args);
  if (asked) {
    const runtime = { ...Deno.version, arch: Deno.build.arch };
    const text = asked.short
      ? `${VERSION}\n`
      : versionText({ runtime, os: Deno.build.os }, asked.json);
    try {
      const bytes = new TextEncoder().encode(text);
      for (let written = 0; written < bytes.length;) {
        written += Deno.stdout.writeSync(bytes.subarray(written));
      }
    } catch (error) {
      // Nobody reads (`clinvk version | true`): nothing to say. Anything else, as every command.
      if (!(error instanceof Deno.errors.BrokenPipe)) {
        const why = error instanceof Error ? error.message : String(error);
        const line = `clinvk: Cannot write to stdout: ${why}. Check where stdout is redirected.\n`;
        Deno.stderr.writeSync(new TextEncoder().encode(line));
        Deno.exitCode = ExitCode.BackendFailed;
      }
    }
  } else {
    const stderr = {
      write: (text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
    };
    const tree = await commandTree(stderr);
    const code = tree ? await tree.runCommandLine(Deno.args) : ExitCode.Usage;
    Deno.exitCode = code;
    // A timed-out wait for the store lock cannot be cancelled and would keep clinvk alive
    // until the holder lets go (`sessions/lock_wait.ts`); everything else is done by now.
    // Asked of the tree: in the bundle, `main.ts` has copies of the modules it shares with it.
    if (tree && tree.strandedLockWaits() > 0) Deno.exit(code);
  }
}
