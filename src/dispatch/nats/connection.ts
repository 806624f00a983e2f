/**
 * Connecting to the NATS server: credentials (user and password, token, nkey seed or `.creds`
 * file) and TLS from the address, the environment or config — in that order — and one clear
 * line for each way connecting can fail. Like everything in `src/dispatch/nats/`, it is loaded
 * only by commands that connect (the client takes a third of a second to load).
 * @module
 */
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { isIP } from "node:net";
import type { Config } from "../../config/schema.ts";
import { ClinvkError, ExitCode, usageError } from "../../errors.ts";
import { errorName } from "../../platform/fs_errors.ts";
import { ignoreStraySocketErrors } from "../../platform/stray_socket_errors.ts";
import type { Env, Fs } from "../../platform/types.ts";
import { type NatsAddress, netPermission, parseNatsUrl } from "./nats_url.ts";

/** Environment variables that carry NATS credentials (they win over config). */
export const NATS_ENV = {
  user: "CLINVK_NATS_USER",
  password: "CLINVK_NATS_PASSWORD",
  token: "CLINVK_NATS_TOKEN",
  creds: "CLINVK_NATS_CREDS",
  nkey: "CLINVK_NATS_NKEY",
} as const;

/** How the connection authenticates, for messages (never the secret itself). */
export type AuthKind = "none" | "user" | "token" | "nkey" | "creds";

/** What {@linkcode connectNats} needs. */
export interface ConnectOptions {
  /** The address as the user gave it. */
  url: string;
  config: Config;
  env: Env;
  fs: Fs;
  /** Shown in the server's connection list, e.g. `clinvk worker build-3`. */
  name: string;
  /** Connection trouble after the first connect (lost, reconnected), one line each. */
  onStatus?(line: string): void;
}

/** An open connection and what it was opened with. */
export interface NatsLink {
  nc: NatsConnection;
  address: NatsAddress;
  auth: AuthKind;
}

async function readSecretFile(fs: Fs, path: string, what: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    const why = errorName(error) === "NotFound"
      ? "no such file"
      : errorName(error) === "NotCapable"
      ? "Deno permission missing (add --allow-read)"
      : error instanceof Error
      ? error.message
      : String(error);
    throw usageError(`Cannot read the NATS ${what} ${path}: ${why}`, "Check nats.* in config.");
  }
}

async function readTextFile(fs: Fs, path: string, what: string): Promise<string> {
  return new TextDecoder().decode(await readSecretFile(fs, path, what));
}

/**
 * The client options for `options.url`: credentials, TLS and reconnect policy. Reads the
 * credential and certificate files.
 *
 * @throws {ClinvkError} exit 2 for a bad address or a file that cannot be read.
 */
export async function natsOptions(
  options: Omit<ConnectOptions, "onStatus">,
): Promise<{ client: NodeConnectionOptions; address: NatsAddress; auth: AuthKind }> {
  const { config, env, fs } = options;
  const address = parseNatsUrl(options.url);
  const nats = config.nats ?? {};
  const pick = (name: keyof typeof NATS_ENV, configured: string | undefined) =>
    env.get(NATS_ENV[name]) || configured || undefined;
  const client: NodeConnectionOptions = {
    servers: address.servers,
    name: options.name,
    // Keep trying for ever: a worker outlives a restart of the server, and tasks keep running
    // while it is away.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    // Notice a server that went silent (a cut cable) within about half a minute.
    pingInterval: 10_000,
    maxPingOut: 3,
    timeout: 5000,
  };
  let auth: AuthKind = "none";
  const user = address.user ?? pick("user", nats.user);
  const token = address.token ?? pick("token", nats.token);
  const creds = pick("creds", nats.creds_file);
  const nkey = pick("nkey", nats.nkey_file);
  if (creds) {
    client.authenticator = credsAuthenticator(
      await readSecretFile(fs, creds, "credentials file"),
    );
    auth = "creds";
  } else if (nkey) {
    const seed = new TextDecoder().decode(await readSecretFile(fs, nkey, "nkey seed file"));
    client.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed.trim()));
    auth = "nkey";
  } else if (user) {
    client.user = user;
    client.pass = address.pass ?? pick("password", nats.password) ?? "";
    auth = "user";
  } else if (token) {
    client.token = token;
    auth = "token";
  }
  const tlsFiles = nats.tls_ca_file || nats.tls_cert_file || nats.tls_key_file;
  if (address.tls || tlsFiles) {
    const [host] = address.hosts.length === 1 ? address.hosts : [];
    client.tls = {
      // The client checks the certificate of a server given by IP address against the name
      // "localhost" (SNI takes no IP addresses); name the address itself, so a certificate
      // for that IP verifies.
      ...(host && isIP(host) ? { host } : {}),
      ...(nats.tls_ca_file ? { ca: await readTextFile(fs, nats.tls_ca_file, "CA file") } : {}),
      ...(nats.tls_cert_file
        ? { cert: await readTextFile(fs, nats.tls_cert_file, "certificate file") }
        : {}),
      ...(nats.tls_key_file ? { key: await readTextFile(fs, nats.tls_key_file, "key file") } : {}),
    };
  }
  return { client, address, auth };
}

/**
 * Under Deno a name lookup that `--allow-net` does not cover fails as the system call would
 * (`getaddrinfo EPERM`), not as a permission error.
 */
function deniedLookup(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return code === "EPERM" && syscall === "getaddrinfo";
}

/** The one line for a failed connect, by the client's error. */
export function connectFailure(error: unknown, address: NatsAddress, auth: AuthKind): ClinvkError {
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  const where = `NATS at ${address.display}`;
  if (name === "NotCapable" || name === "PermissionDenied" || deniedLookup(error)) {
    // Deno names the one address it refused; a name needs its lookup allowed too.
    const refused = /net access to "([^"]+)"/.exec(message)?.[1];
    const needed = new Set([...netPermission(address), ...(refused ? [refused] : [])]);
    const byName = address.hosts.some((host) => !isIP(host));
    return usageError(
      `Cannot connect to ${where}: Deno permission missing`,
      `Add --allow-net=${[...needed].join(",")} to the deno command` +
        (byName && !refused ? " (and the address the name resolves to, with its port)." : "."),
    );
  }
  if (name === "AuthorizationError" || /authoriz|authentic/i.test(message)) {
    return new ClinvkError(
      `Cannot connect to ${where}: the server refused the ${
        auth === "none" ? "connection without credentials" : `${auth} credentials`
      }`,
      ExitCode.DispatchUnavailable,
      `Set nats.user/nats.password, nats.token, nats.creds_file or nats.nkey_file ` +
        `(or CLINVK_NATS_USER/_PASSWORD, _TOKEN, _CREDS, _NKEY).`,
    );
  }
  if (/tls|certificate|ssl|self.signed/i.test(message)) {
    return new ClinvkError(
      `Cannot connect to ${where}: TLS failed (${message})`,
      ExitCode.DispatchUnavailable,
      "Check the tls:// address and nats.tls_ca_file (the CA that signed the server's certificate).",
    );
  }
  const cause = (error as { cause?: unknown })?.cause;
  const detail = cause instanceof Error && cause.message ? cause.message : message;
  return new ClinvkError(
    `Cannot connect to ${where}: ${detail}`,
    ExitCode.DispatchUnavailable,
    "Is nats-server running there with JetStream (nats-server -js)?",
  );
}

/**
 * Connects to the NATS server at `options.url`.
 *
 * @throws {ClinvkError} exit 2 for a bad address, an unreadable credentials file or a missing
 * `--allow-net`; exit 7 when the server cannot be reached or refuses the credentials.
 */
export async function connectNats(options: ConnectOptions): Promise<NatsLink> {
  const { client, address, auth } = await natsOptions(options);
  ignoreStraySocketErrors();
  let nc: NatsConnection;
  try {
    nc = await connect(client);
  } catch (error) {
    throw connectFailure(error, address, auth);
  }
  if (options.onStatus) watchStatus(nc, address, options.onStatus);
  return { nc, address, auth };
}

/** Reports losing and regaining the server, once each time. */
async function watchStatus(
  nc: NatsConnection,
  address: NatsAddress,
  say: (line: string) => void,
): Promise<void> {
  let lost = false;
  try {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" && !lost) {
        lost = true;
        say(`lost the connection to NATS at ${address.display}; reconnecting`);
      } else if (status.type === "reconnect" && lost) {
        lost = false;
        say(`reconnected to NATS at ${address.display}`);
      }
    }
  } catch {
    // The connection closed.
  }
}
