/**
 * `clinvk sessions doctor [--fix]`: find session files that are not valid records, and
 * backends that a clinvk killed mid-turn left running (a warning each; `--fix` stops them).
 * @module
 */
import { buildCommand } from "@stricli/core";
import { ClinvkError, ExitCode } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { loadAppConfig, openStore } from "../services.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";

async function doctor(
  this: AppContext,
  flags: { fix?: boolean; json?: boolean; config?: string },
): Promise<void> {
  const { config } = await loadAppConfig(this, flags.config);
  const store = openStore(this, config);
  const fix = flags.fix ?? false;
  const bad = await store.doctor({ fix });
  const { stdout, stderr } = this.platform;
  if (flags.json) {
    stdout.write(JSON.stringify(bad, null, 2) + "\n");
  } else if (bad.length === 0) {
    stderr.write(`All session files in ${store.dir} are valid.\n`);
  } else {
    for (const file of bad) stdout.write(`${file.path}: ${file.reason}\n`);
    if (fix) {
      stderr.write(
        `Moved ${bad.length} bad file(s) to ${store.dir}/.corrupt/ (nothing was deleted).\n`,
      );
    }
  }
  if (bad.length > 0 && !fix) {
    throw new ClinvkError(
      `${bad.length} bad file(s)`,
      ExitCode.BackendFailed,
      `Run clinvk sessions doctor --fix to move them to ${store.dir}/.corrupt/.`,
    );
  }
}

/** `sessions doctor`. */
export const doctorCommand = buildCommand({
  func: doctor,
  parameters: {
    flags: {
      fix: { kind: "boolean", brief: "Move bad files to sessions/.corrupt/", optional: true },
      json: { ...jsonFlag, brief: "Print the bad files as JSON" },
      config: configFlag,
    },
  },
  docs: {
    brief: "Check every session file and look for backends a killed clinvk left running; " +
      "--fix quarantines the bad files and stops those backends",
  },
});
