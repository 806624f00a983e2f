/**
 * The client's address: the connection's peer, unless that peer is a configured trusted proxy,
 * in which case `X-Forwarded-For` is read from the right, skipping trusted proxies, to the first
 * address that is not one. An untrusted peer's `X-Forwarded-For` is ignored, so a client cannot
 * pick its own address (and dodge per-client limits) by sending the header.
 * @module
 */
import proxyAddr from "proxy-addr";
import { usageError } from "../errors.ts";

/** Finds the client address of a request from its peer address and `X-Forwarded-For`. */
export type ClientAddressOf = (peer: string, forwardedFor: string | null) => string;

type Trust = (address: string, index: number) => boolean;

/**
 * Compiles `server.trusted_proxies` (addresses, CIDR ranges, `loopback`, `linklocal`,
 * `uniquelocal`).
 *
 * @throws {ClinvkError} exit 2 for an entry that is no address or range.
 */
export function clientAddressResolver(trustedProxies: readonly string[]): ClientAddressOf {
  let trust: Trust = () => false;
  if (trustedProxies.length > 0) {
    try {
      trust = proxyAddr.compile([...trustedProxies]);
    } catch (error) {
      throw usageError(
        `server.trusted_proxies is invalid: ${error instanceof Error ? error.message : error}`,
        "Use IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal.",
      );
    }
  }
  return (peer, forwardedFor) => {
    const request = {
      socket: { remoteAddress: peer },
      headers: forwardedFor === null ? {} : { "x-forwarded-for": forwardedFor },
    };
    // proxy-addr's types want Node's IncomingMessage; it reads only these two fields.
    return proxyAddr(request as unknown as Parameters<typeof proxyAddr>[0], trust);
  };
}
