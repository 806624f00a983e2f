/**
 * A guard for one hazard of the NATS client under Deno's Node compatibility: when the client
 * closes a connection (the server refused the credentials, went away, or restarted) it removes
 * its listeners from the socket, and a reset the peer sends after that is an `error` event
 * nobody listens to — which Node's rules turn into an uncaught exception that ends the process
 * (a worker, in the middle of its tasks). The client has already handled the loss itself, so
 * such an error is dropped; every other uncaught error still ends the process.
 * @module
 */

/** Socket errors that only repeat what a closed connection already said. */
const STRAY_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT"]);

let installed = false;

/** Whether `error` is a late error of a socket (a failed `read` or `write` of a closed one). */
export function isStraySocketError(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return typeof code === "string" && STRAY_CODES.has(code) &&
    (syscall === "read" || syscall === "write");
}

/** Starts dropping stray socket errors for the rest of the process (once; later calls do nothing). */
export function ignoreStraySocketErrors(): void {
  if (installed) return;
  installed = true;
  globalThis.addEventListener("error", (event) => {
    if (isStraySocketError(event.error)) event.preventDefault();
  });
}
