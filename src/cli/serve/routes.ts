/**
 * The `clinvk serve …` command group: flags and help here, implementations loaded only when a
 * command runs, so `clinvk version` and `--help` never load the HTTP stack.
 * @module
 */
import { buildCommand, buildRouteMap } from "@stricli/core";
import { LOG_FORMATS, type LogFormat } from "../../config/schema.ts";
import { lazyImport } from "../../lazy_import.ts";
import type { AppContext } from "../context.ts";
import { configFlag, jsonFlag } from "../shared_flags.ts";

/** Flags of `clinvk serve`. */
export interface ServeFlags {
  host?: string;
  port?: number;
  workdir?: string;
  config?: string;
  logFormat?: LogFormat;
}

/** Flags of `clinvk serve keys revoke`. */
export interface KeysFlags {
  config?: string;
}

/** Flags of `clinvk serve keys add` and `list`. */
export interface KeysJsonFlags extends KeysFlags {
  json?: boolean;
}

/** `--port`: 0 to 65535 (0 picks a free port). */
export function parsePort(input: string): number {
  const value = Number(input);
  if (!/^\s*\d+\s*$/.test(input) || value > 65535) {
    throw new SyntaxError(`"${input}" is not a port (0 to 65535; 0 picks a free one)`);
  }
  return value;
}

function parseLogFormat(input: string): LogFormat {
  const value = input.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new SyntaxError(
    `unknown log format "${input}" (expected one of: ${LOG_FORMATS.join(", ")})`,
  );
}

/** The key commands, loaded when one runs. */
function keysCommands(): Promise<typeof import("./keys_command.ts")> {
  return lazyImport<typeof import("./keys_command.ts")>("src/cli/serve/keys_command.ts");
}

const startCommand = buildCommand<ServeFlags, [], AppContext>({
  loader: () => lazyImport<typeof import("./serve_command.ts")>("src/cli/serve/serve_command.ts"),
  parameters: {
    flags: {
      host: {
        kind: "parsed",
        parse: String,
        brief: "Address to listen on (default: server.host, 127.0.0.1)",
        placeholder: "address",
        optional: true,
      },
      port: {
        kind: "parsed",
        parse: parsePort,
        brief: "Port to listen on (default: server.port, 8080; 0 = any free port)",
        placeholder: "port",
        optional: true,
      },
      workdir: {
        kind: "parsed",
        parse: String,
        brief: "Directory requests run in (default: server.workdir, else the current one)",
        placeholder: "dir",
        optional: true,
      },
      config: configFlag,
      logFormat: {
        kind: "parsed",
        parse: parseLogFormat,
        brief: "Request log on stderr: text or json (default: server.log_format)",
        placeholder: "format",
        optional: true,
      },
    },
    aliases: { w: "workdir", p: "port" },
  },
  docs: {
    brief: "Serve OpenAI- and Anthropic-compatible APIs and clinvk's REST API over HTTP",
    fullDescription: [
      "Serves /v1/chat/completions, /v1/responses, /v1/models (OpenAI), /v1/messages (Anthropic),",
      "clinvk's REST API under /api/v1, /openapi.json, /health, /ready and /metrics.",
      "Every request runs one turn on a backend CLI as a clinvk session (tagged api); send",
      "X-Clinvk-Session: <id> to continue one. Listening beyond loopback needs API keys",
      "(clinvk serve keys add NAME). SIGINT, SIGTERM and SIGHUP stop it gracefully.",
    ].join("\n"),
  },
});

const keyName = {
  kind: "tuple",
  parameters: [{
    brief: "Name of the key (letters, digits, '.', '_', '-')",
    parse: String,
    placeholder: "name",
  }],
} as const;

const addCommand = buildCommand<KeysJsonFlags, [string], AppContext>({
  loader: async () => (await keysCommands()).addKey,
  parameters: {
    flags: { config: configFlag, json: { ...jsonFlag, brief: "Print {name, key, hash} as JSON" } },
    positional: keyName,
  },
  docs: { brief: "Create an API key: printed once, stored in config as its SHA-256" },
});

const listCommand = buildCommand<KeysJsonFlags, [], AppContext>({
  loader: async () => (await keysCommands()).listKeys,
  parameters: { flags: { config: configFlag, json: jsonFlag } },
  docs: { brief: "List the API keys (names and hash prefixes; keys are never stored)" },
});

const revokeCommand = buildCommand<KeysFlags, [string], AppContext>({
  loader: async () => (await keysCommands()).revokeKey,
  parameters: { flags: { config: configFlag }, positional: keyName },
  docs: { brief: "Remove an API key from config (restart the server to apply)" },
});

/** `clinvk serve`. */
export const serveRoutes = buildRouteMap({
  routes: {
    start: startCommand,
    keys: buildRouteMap({
      routes: { add: addCommand, list: listCommand, revoke: revokeCommand },
      aliases: { ls: "list", rm: "revoke" },
      docs: { brief: "Manage the server's API keys" },
    }),
  },
  defaultCommand: "start",
  docs: {
    brief: "Serve OpenAI- and Anthropic-compatible APIs over HTTP",
    fullDescription: [
      "Serve OpenAI- and Anthropic-compatible APIs over HTTP.",
      "",
      "  clinvk serve [--host 127.0.0.1] [--port 8080] [-w dir] [--log-format text|json]",
      "  clinvk serve keys add NAME         create an API key (printed once)",
      "  clinvk serve keys list | revoke NAME",
      "",
      "Details: clinvk serve start --help, and the README's Server section.",
    ].join("\n"),
  },
});
