/**
 * What the worker commands share: which NATS server they talk to, and which backends a worker
 * offers.
 * @module
 */
import { backendAvailability, getBackend } from "../../backends/registry.ts";
import type { Config } from "../../config/schema.ts";
import { ClinvkError, ExitCode, usageError } from "../../errors.ts";
import type { Platform } from "../../platform/types.ts";
import { DISPATCH_ENV } from "../runs/run_setup.ts";

/**
 * The NATS address: `--nats`, else `CLINVK_DISPATCH`, else `dispatch.url`.
 *
 * @throws {ClinvkError} exit 2 when none is set.
 */
export function natsAddress(platform: Platform, config: Config, flag?: string): string {
  const url = flag ?? platform.env.get(DISPATCH_ENV) ?? config.dispatch?.url;
  if (!url || url === "local") {
    throw usageError(
      "No NATS server given",
      "Pass --nats nats://host:4222 (or set dispatch.url in config, or CLINVK_DISPATCH).",
    );
  }
  return url;
}

/** What a worker offers, and what it leaves out and why. */
export interface OfferedBackends {
  backends: string[];
  /** Backends not installed here, with the reason (shown in the banner). */
  missing: { name: string; reason: string }[];
}

/**
 * The backends a worker takes tasks of: those named (`--backends`, else `worker.backends`),
 * each of which must be installed; by default every installed one.
 *
 * @throws {ClinvkError} exit 2 for an unknown name, exit 3 when a named backend (or, by
 * default, every backend) is not installed.
 */
export async function offeredBackends(
  platform: Platform,
  config: Config,
  flag?: string,
): Promise<OfferedBackends> {
  const named = flag !== undefined
    ? flag.split(",").map((name) => name.trim()).filter(Boolean)
    : config.worker.backends.length > 0
    ? config.worker.backends
    : undefined;
  if (named?.length === 0) {
    throw usageError("--backends is empty", "Name backends: --backends claude,codex.");
  }
  for (const name of named ?? []) getBackend(name);
  const availability = await backendAvailability(config, platform, named);
  const missing = availability.filter((b) => !b.available).map((b) => ({
    name: b.name,
    reason: b.reason ?? "not installed",
  }));
  const backends = availability.filter((b) => b.available).map((b) => b.name);
  if (named && missing.length > 0) {
    const [first] = missing;
    throw new ClinvkError(
      `Backend ${first!.name} is not installed on this machine (${first!.reason})`,
      ExitCode.BackendNotFound,
      "Install it (or set backends.<name>.command), or leave it out of --backends.",
    );
  }
  if (backends.length === 0) {
    throw new ClinvkError(
      "No backend CLI is installed on this machine, so this worker could run nothing",
      ExitCode.BackendNotFound,
      "Install claude, codex or gemini (or set backends.<name>.command in config.yaml).",
    );
  }
  return { backends, missing };
}
