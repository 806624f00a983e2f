/**
 * An in-process readers–writer queue in front of the file lock. The file lock alone already
 * keeps concurrent calls of one process apart, but only by polling; queueing them here first
 * means they wake as soon as the previous call finishes (think `clinvk serve` with many
 * requests), and first come is first served.
 * @module
 */

interface Waiter {
  exclusive: boolean;
  grant: () => void;
}

/** FIFO readers–writer lock for one process. */
export class LocalRwLock {
  #readers = 0;
  #writer = false;
  readonly #queue: Waiter[] = [];

  /** Waits for the lock; resolves to the function that releases it. */
  acquire(exclusive: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      this.#queue.push({ exclusive, grant: () => resolve(this.#releaser(exclusive)) });
      this.#dispatch();
    });
  }

  #releaser(exclusive: boolean): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (exclusive) this.#writer = false;
      else this.#readers--;
      this.#dispatch();
    };
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#writer) {
      const next = this.#queue[0]!;
      if (next.exclusive && this.#readers > 0) return;
      this.#queue.shift();
      if (next.exclusive) this.#writer = true;
      else this.#readers++;
      next.grant();
    }
  }
}
