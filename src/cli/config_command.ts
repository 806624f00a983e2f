/**
 * `clinvk config show | get KEY | set KEY VALUE | unset KEY | path | validate`.
 * @module
 */
import { buildCommand, buildRouteMap } from "@stricli/core";
import { clinvkHome, configPath } from "../config/paths.ts";
import { maskSecrets } from "../config/secrets.ts";
import { usageError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import type { AppContext } from "./context.ts";
import { configFlag, jsonFlag } from "./shared_flags.ts";

/** The YAML side of the config commands, loaded when one runs. */
function yamlCommands(): Promise<typeof import("../config/yaml_commands.ts")> {
  return lazyImport<typeof import("../config/yaml_commands.ts")>("src/config/yaml_commands.ts");
}

type ConfigFlags = { config?: string; json?: boolean };
type ShowFlags = ConfigFlags & { showSecrets?: boolean };

const flagsWithJson = { config: configFlag, json: { ...jsonFlag, brief: "Print JSON" } } as const;

const flagsToShow = {
  ...flagsWithJson,
  showSecrets: {
    kind: "boolean",
    brief: "Show values that backends.*.env takes from ${VAR} (hidden by default)",
    optional: true,
  },
} as const;

/** The effective config to print: secrets masked unless `--show-secrets`. */
async function configToShow(context: AppContext, flags: ShowFlags) {
  const { loadAppConfig } = await import("./services.ts");
  const loaded = await loadAppConfig(context, flags.config);
  const config = flags.showSecrets ? loaded.config : maskSecrets(loaded.config, loaded.secrets);
  return { config, source: loaded.source };
}

function pathOf(context: AppContext, flags: ConfigFlags): string {
  return configPath(clinvkHome(context.platform.env), flags.config);
}

async function show(this: AppContext, flags: ShowFlags): Promise<void> {
  const { config, source } = await configToShow(this, flags);
  if (flags.json) {
    this.platform.stdout.write(JSON.stringify(config, null, 2) + "\n");
    return;
  }
  this.platform.stdout.write(
    `# effective configuration (${source.exists ? source.path : "defaults; no " + source.path})\n`,
  );
  const { renderConfigYaml } = await yamlCommands();
  this.platform.stdout.write(renderConfigYaml(config));
}

async function get(this: AppContext, flags: ShowFlags, key: string): Promise<void> {
  const { config } = await configToShow(this, flags);
  const { getConfigValue, renderConfigValue } = await yamlCommands();
  const value = getConfigValue(config, key);
  this.platform.stdout.write(
    (flags.json ? JSON.stringify(value ?? null) : renderConfigValue(value)) + "\n",
  );
}

async function set(
  this: AppContext,
  flags: { config?: string },
  key: string,
  value: string,
): Promise<void> {
  const { setConfigValue } = await yamlCommands();
  const result = await setConfigValue({
    fs: this.platform.fs,
    path: pathOf(this, flags),
    key,
    rawValue: value,
    sleep: this.platform.sleep,
  });
  this.platform.stderr.write(
    `Set ${key} = ${JSON.stringify(result.value)} in ${result.path}${
      result.created ? " (created)" : ""
    }\n`,
  );
}

async function unset(this: AppContext, flags: { config?: string }, key: string): Promise<void> {
  const { unsetConfigValue } = await yamlCommands();
  const result = await unsetConfigValue({
    fs: this.platform.fs,
    path: pathOf(this, flags),
    key,
    sleep: this.platform.sleep,
  });
  this.platform.stderr.write(
    result.removed
      ? `Removed ${key} from ${result.path}; its default applies again\n`
      : `${key} is not set in ${result.path}; nothing changed\n`,
  );
}

function path(this: AppContext, flags: { config?: string }): void {
  this.platform.stdout.write(pathOf(this, flags) + "\n");
}

async function validate(this: AppContext, flags: ConfigFlags): Promise<void> {
  const { formatProblem, validateConfigFile } = await yamlCommands();
  const result = await validateConfigFile({
    fs: this.platform.fs,
    path: pathOf(this, flags),
    explicit: flags.config !== undefined,
  });
  const { stdout, stderr } = this.platform;
  if (flags.json) {
    stdout.write(JSON.stringify(result, null, 2) + "\n");
  } else if (!result.exists) {
    stderr.write(`${result.path} does not exist; the built-in defaults apply.\n`);
  } else if (result.problems.length === 0) {
    stderr.write(`${result.path} is valid.\n`);
  } else {
    for (const problem of result.problems) stdout.write(formatProblem(problem) + "\n");
  }
  const count = result.problems.length;
  if (count > 0) {
    throw usageError(`${result.path} has ${count} ${count === 1 ? "problem" : "problems"}`);
  }
}

const keyArg = {
  brief: "Dotted key, e.g. session.retention_days",
  parse: String,
  placeholder: "key",
};

/** `clinvk config`. */
export const configRoutes = buildRouteMap({
  routes: {
    show: buildCommand({
      func: show,
      parameters: { flags: flagsToShow },
      docs: { brief: "Print the effective configuration (defaults + file; secrets hidden)" },
    }),
    get: buildCommand({
      func: get,
      parameters: { flags: flagsToShow, positional: { kind: "tuple", parameters: [keyArg] } },
      docs: { brief: "Print one key or section (secrets hidden)" },
    }),
    set: buildCommand({
      func: set,
      parameters: {
        flags: { config: configFlag },
        positional: {
          kind: "tuple",
          parameters: [keyArg, {
            brief: 'Value, parsed as YAML: 7, true, \'["a", "b"]\'',
            parse: String,
            placeholder: "value",
          }],
        },
      },
      docs: { brief: "Set a key in config.yaml (validated; comments are kept)" },
    }),
    unset: buildCommand({
      func: unset,
      parameters: {
        flags: { config: configFlag },
        positional: { kind: "tuple", parameters: [keyArg] },
      },
      docs: { brief: "Remove a key from config.yaml so its default applies" },
    }),
    path: buildCommand({
      func: path,
      parameters: { flags: { config: configFlag } },
      docs: { brief: "Print the config file's path" },
    }),
    validate: buildCommand({
      func: validate,
      parameters: { flags: flagsWithJson },
      docs: { brief: "Check config.yaml and list every problem (exit 2 if any)" },
    }),
  },
  docs: { brief: "Show, get, set and validate the configuration" },
});
