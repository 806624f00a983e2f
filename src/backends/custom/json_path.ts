/**
 * The JSON paths of a custom backend's config: names joined by dots, each may carry `[n]`
 * indexes (`items[0].text`); a negative-free, expression-free subset that anyone can read.
 * @module
 */

/**
 * The value at `path` in `value`, or `undefined` when any step is missing.
 *
 * @example
 * ```ts
 * valueAt({ result: { items: [{ text: "hi" }] } }, "result.items[0].text"); // "hi"
 * valueAt({ a: 1 }, "b.c"); // undefined
 * ```
 */
export function valueAt(value: unknown, path: string): unknown {
  let node = value;
  for (const step of path.split(".")) {
    const [name, ...indexes] = step.split("[");
    node = pick(node, name!);
    for (const index of indexes) node = pick(node, index.replace("]", ""), true);
    if (node === undefined) return undefined;
  }
  return node;
}

function pick(node: unknown, key: string, index = false): unknown {
  if (index) return Array.isArray(node) ? node[Number(key)] : undefined;
  if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
  return Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}
