/**
 * One turn at a time per session inside this server. A request for a session that is busy
 * gets 409 at once — or, with `X-Clinvk-Wait: 1`, waits its turn in arrival order, for as
 * long as it takes (the store's lease then also waits for another process that holds it).
 * @module
 */
import { ApiError } from "./api_error.ts";

interface Slot {
  waiters: Array<() => void>;
}

/** The sessions this server is running turns on, and who waits for them. */
export class SessionGate {
  readonly #slots = new Map<string, Slot>();

  /** Whether a turn of `sessionId` is running in this server. */
  isBusy(sessionId: string): boolean {
    return this.#slots.has(sessionId);
  }

  /**
   * Takes `sessionId` for one turn; resolves to the function that gives it back. Throws a 409
   * {@linkcode ApiError} when it is busy and `wait` is false; rejects when `signal` aborts
   * while waiting.
   */
  async enter(
    sessionId: string,
    options: { wait: boolean; signal?: AbortSignal },
  ): Promise<() => void> {
    const slot = this.#slots.get(sessionId);
    if (!slot) {
      this.#slots.set(sessionId, { waiters: [] });
      return this.#releaser(sessionId);
    }
    if (!options.wait) {
      throw new ApiError(
        "conflict",
        `Session ${sessionId} is busy with another request; send X-Clinvk-Wait: 1 to wait for it`,
        { code: "session_busy" },
      );
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        slot.waiters.splice(slot.waiters.indexOf(grant), 1);
        reject(options.signal?.reason);
      };
      slot.waiters.push(grant);
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
    return this.#releaser(sessionId);
  }

  /** Marks a session that was just created by a running turn as busy until the release. */
  claimNew(sessionId: string): () => void {
    if (!this.#slots.has(sessionId)) this.#slots.set(sessionId, { waiters: [] });
    return this.#releaser(sessionId);
  }

  #releaser(sessionId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const slot = this.#slots.get(sessionId);
      const next = slot?.waiters.shift();
      if (next) next();
      else this.#slots.delete(sessionId);
    };
  }
}
