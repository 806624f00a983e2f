/**
 * Splits a byte stream into text lines as they arrive.
 * @module
 */

/**
 * Calls `onLine` for every complete line of `stream` (without its `\n` or `\r\n`), and once more
 * for a final line without a newline. Resolves when the stream ends.
 */
export async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      onLine(pending.slice(0, newline).replace(/\r$/, ""));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
  pending += decoder.decode();
  if (pending.length > 0) onLine(pending.replace(/\r$/, ""));
}
