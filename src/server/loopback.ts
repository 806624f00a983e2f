/**
 * Loopback names and addresses: a server without API keys may listen only on one, and answers
 * only requests addressed to one (the DNS-rebinding guard in `auth.ts`).
 * @module
 */

/**
 * Whether `host` (a name or an address, IPv6 with or without brackets) is this machine's
 * loopback.
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.1"); // true
 * isLoopback("[::1]"); // true
 * isLoopback("0.0.0.0"); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * The host of a `Host` header, without its port.
 *
 * @example
 * ```ts
 * hostOfHeader("localhost:8080"); // "localhost"
 * hostOfHeader("[::1]:8080"); // "[::1]"
 * ```
 */
export function hostOfHeader(header: string): string {
  const value = header.trim();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end < 0 ? value : value.slice(0, end + 1);
  }
  const colon = value.lastIndexOf(":");
  return colon < 0 ? value : value.slice(0, colon);
}
