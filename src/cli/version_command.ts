/**
 * `clinvk version`: version, Deno version and platform.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { VERSION } from "../version.ts";
import type { AppContext } from "./context.ts";
import { jsonFlag } from "./shared_flags.ts";

function version(this: AppContext, flags: { json?: boolean }): void {
  const { runtime } = this.platform;
  const info = {
    clinvk: VERSION,
    deno: runtime.deno,
    v8: runtime.v8,
    typescript: runtime.typescript,
    platform: `${this.platform.os}-${runtime.arch}`,
  };
  this.platform.stdout.write(
    flags.json
      ? JSON.stringify(info, null, 2) + "\n"
      : `clinvk ${info.clinvk}\ndeno ${info.deno} (v8 ${info.v8}, typescript ${info.typescript})\nplatform ${info.platform}\n`,
  );
}

/** `clinvk version`. */
export const versionCommand = buildCommand({
  func: version,
  parameters: { flags: { json: { ...jsonFlag, brief: "Print JSON" } } },
  docs: { brief: "Print the clinvk and Deno versions and the platform" },
});
