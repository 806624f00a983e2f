/**
 * Loads what commands need — config, resolved settings, the session store — from the context,
 * once per run.
 * @module
 */
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import { clinvkHome, configPath } from "../config/paths.ts";
import { resolveSettings, type SettingFlags, type Settings } from "../config/resolve.ts";
import type { Config } from "../config/schema.ts";
import { createFileStore } from "../sessions/file_store.ts";
import type { SessionStore } from "../sessions/store_types.ts";
import { colorEnabled } from "../output/color.ts";
import { type AppContext, warn } from "./context.ts";

/** clinvk's home directory for this run. */
export function homeDir(context: AppContext): string {
  return clinvkHome(context.platform.env);
}

/**
 * Loads the config (`--config PATH` or `$CLINVK_HOME/config.yaml`), its parse cached in the
 * store unless `cache` is false (an ephemeral run leaves nothing behind).
 */
export async function loadAppConfig(
  context: AppContext,
  flagPath?: string,
  options: { cache?: boolean } = {},
): Promise<LoadedConfig> {
  const home = homeDir(context);
  return await loadConfig({
    fs: context.platform.fs,
    env: context.platform.env,
    path: configPath(home, flagPath),
    explicit: flagPath !== undefined,
    ...(options.cache === false ? {} : { cacheHome: home }),
  });
}

/** Resolves flag > env > config file > default. */
export function settingsFor(context: AppContext, config: Config, flags: SettingFlags): Settings {
  return resolveSettings({ flags, env: context.platform.env, config });
}

/** Whether to colour stdout for this run (`settings.color` already weighs CLINVK_COLOR). */
export function useColor(context: AppContext, settings: Settings): boolean {
  return colorEnabled(
    settings.color,
    context.platform.stdout.isTerminal(),
    context.platform.env.get("NO_COLOR"),
  );
}

/** Opens the session store under `$CLINVK_HOME/sessions`. */
export function openStore(context: AppContext, config: Config): SessionStore {
  const { platform } = context;
  return createFileStore({
    home: homeDir(context),
    fs: platform.fs,
    openSqlite: platform.openSqlite,
    clock: platform.clock,
    pid: platform.pid,
    sleep: platform.sleep,
    threads: platform.threads,
    processes: platform.processes,
    warn: (message: string) => warn(context, message),
    lockTimeoutMs: config.session.lock_timeout_seconds * 1000,
  });
}
