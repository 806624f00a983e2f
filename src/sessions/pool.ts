/**
 * Bounded concurrency for many small file operations. Deno runs async file calls on a thread
 * pool; a handful in flight is several times faster than one at a time, while thousands at once
 * only add memory.
 * @module
 */

/** How many file operations the store keeps in flight. */
export const FILE_CONCURRENCY = 16;

/** Maps `items` through `fn` with at most `limit` calls pending, keeping the input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  limit: number = FILE_CONCURRENCY,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
