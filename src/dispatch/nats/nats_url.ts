/**
 * Reading the NATS server address users give (`--dispatch`, `--nats`, `dispatch.url`):
 * `nats://host:4222`, `tls://host:4222` (TLS required), or several of them separated by commas
 * for a cluster. Credentials written into the address (`nats://user:pass@host`,
 * `nats://token@host`) are taken out of it, so the address can be shown and recorded safely.
 * @module
 */
import { isIP } from "node:net";
import { usageError } from "../../errors.ts";

/** Default NATS client port. */
export const DEFAULT_NATS_PORT = 4222;

/** A parsed NATS address. */
export interface NatsAddress {
  /** `host:port` of each server, for the client. */
  servers: string[];
  /** The host of each server (IPv6 without brackets). */
  hosts: string[];
  /** Whether TLS is required (`tls://`). */
  tls: boolean;
  /** The address as shown and recorded: scheme, hosts and ports, never credentials. */
  display: string;
  /** `user:pass@` of the address, when it had one. */
  user?: string;
  pass?: string;
  /** `token@` of the address (a user part without a password), when it had one. */
  token?: string;
}

function bad(value: string, why: string): never {
  throw usageError(
    `Invalid NATS address "${value}": ${why}`,
    "Write it as nats://host:4222 or tls://host:4222.",
  );
}

/**
 * Parses a NATS address.
 *
 * @throws {ClinvkError} exit 2 for another scheme, a missing host or a bad port.
 * @example
 * ```ts
 * parseNatsUrl("tls://alice:s3cret@nats.example.com").display; // "tls://nats.example.com:4222"
 * ```
 */
export function parseNatsUrl(value: string): NatsAddress {
  const parts = value.split(",").map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) bad(value, "it is empty");
  const servers: string[] = [];
  const hosts: string[] = [];
  const shown: string[] = [];
  let tls: boolean | undefined;
  const address: NatsAddress = { servers, hosts, tls: false, display: "" };
  for (const part of parts) {
    const withScheme = part.includes("://") ? part : `nats://${part}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      bad(value, "it is not an address");
    }
    const scheme = url.protocol.slice(0, -1);
    if (scheme !== "nats" && scheme !== "tls") bad(value, `unknown scheme ${scheme}://`);
    const secure = scheme === "tls";
    if (tls !== undefined && tls !== secure) bad(value, "mixes nats:// and tls://");
    tls = secure;
    if (!url.hostname) bad(value, "no host");
    if (url.pathname && url.pathname !== "/") bad(value, "an address has no path");
    const port = url.port ? Number(url.port) : DEFAULT_NATS_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) bad(value, "bad port");
    if (url.username && !address.user && !address.token) {
      const name = decodeURIComponent(url.username);
      if (url.password) {
        address.user = name;
        address.pass = decodeURIComponent(url.password);
      } else {
        address.token = name;
      }
    }
    servers.push(`${url.hostname}:${port}`);
    hosts.push(url.hostname.replace(/^\[|\]$/g, ""));
    shown.push(`${scheme}://${url.hostname}:${port}`);
  }
  address.tls = tls ?? false;
  address.display = shown.join(",");
  return address;
}

/**
 * What Deno's `--allow-net` must name for `address`, as far as the address tells: `ip:port`
 * for a server given by IP address; for one given by name, the bare name, because Deno checks
 * the name lookup against the name without its port (the address it resolves to must then be
 * allowed as well, which only a connect attempt reveals).
 */
export function netPermission(address: NatsAddress): string[] {
  return address.servers.map((server, i) => {
    const host = address.hosts[i]!;
    return isIP(host) ? server : host;
  });
}
