/**
 * `clinvk version`: version, Deno version and platform.
 * @module
 */
import { buildCommand } from "@stricli/core";
import { versionText } from "./version_info.ts";
import type { AppContext } from "./context.ts";
import { jsonFlag } from "./shared_flags.ts";

function version(this: AppContext, flags: { json?: boolean }): void {
  this.platform.stdout.write(versionText(this.platform, flags.json ?? false));
}

/** `clinvk version`. */
export const versionCommand = buildCommand({
  func: version,
  parameters: { flags: { json: { ...jsonFlag, brief: "Print JSON" } } },
  docs: { brief: "Print the clinvk and Deno versions and the platform" },
});
