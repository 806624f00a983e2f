/**
 * A one-reader queue of a turn's events: the engine pushes as the backend prints, the
 * response stream reads as fast as the client takes them.
 * @module
 */

/** Events in, one async iterator out. */
export class EventQueue<T> {
  readonly #items: T[] = [];
  #closed = false;
  #wake: (() => void) | undefined;

  /** Appends an item (ignored once closed). */
  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#wake?.();
  }

  /** No more items will come; the iterator ends after the ones queued. */
  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  /** Every item, in order, until the queue is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    while (true) {
      const item = this.#items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
  }
}
