/**
 * Keeps the best `n` items seen so far in a binary heap whose root is the worst of them, so
 * "is anything left in the log still able to make the cut?" is one comparison with the root.
 * @module
 */

/** The best `limit` items by `order` (negative = first argument ranks first). */
export class TopN<T> {
  readonly #heap: T[] = [];
  readonly #limit: number;
  readonly #order: (a: T, b: T) => number;

  constructor(limit: number, order: (a: T, b: T) => number) {
    this.#limit = limit;
    this.#order = order;
  }

  /** Whether `limit` items are held. */
  get full(): boolean {
    return this.#heap.length >= this.#limit;
  }

  /** The worst item held (the one a better newcomer would evict). */
  get worst(): T | undefined {
    return this.#heap[0];
  }

  /** Offers an item; it is kept when there is room or it beats the worst one held. */
  offer(item: T): void {
    const heap = this.#heap;
    if (this.#limit <= 0) return;
    if (heap.length < this.#limit) {
      heap.push(item);
      this.#up(heap.length - 1);
    } else if (this.#order(item, heap[0] as T) < 0) {
      heap[0] = item;
      this.#down(0);
    }
  }

  /** The items held, best first. */
  sorted(): T[] {
    return [...this.#heap].sort(this.#order);
  }

  // A "worse" item ranks after the other, so it belongs nearer the root.
  #worse(i: number, j: number): boolean {
    return this.#order(this.#heap[i] as T, this.#heap[j] as T) > 0;
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    [heap[i], heap[j]] = [heap[j] as T, heap[i] as T];
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#worse(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const size = this.#heap.length;
    for (;;) {
      let worst = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (child < size && this.#worse(child, worst)) worst = child;
      }
      if (worst === i) return;
      this.#swap(i, worst);
      i = worst;
    }
  }
}
