/**
 * Splits a byte stream into text lines as they arrive, and lets the caller stop reading.
 * @module
 */

/** A stream being read line by line. */
export interface LineReading {
  /** Resolves when the stream ended or reading was cancelled. */
  readonly done: Promise<void>;
  /** Stops reading (the pipe may still be held open by another process). */
  cancel(): void;
}

/**
 * Calls `onLine` for every complete line of `stream` (without its `\n` or `\r\n`), and once more
 * for a final line without a newline; `onChunk` for every chunk read, before its lines.
 */
export function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  onChunk?: () => void,
): LineReading {
  const reader = stream.getReader();
  let cancelled = false;
  const done = (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || cancelled) break;
        onChunk?.();
        pending += decoder.decode(value, { stream: true });
        let newline = pending.indexOf("\n");
        while (newline !== -1) {
          onLine(pending.slice(0, newline).replace(/\r$/, ""));
          pending = pending.slice(newline + 1);
          newline = pending.indexOf("\n");
        }
      }
    } catch (error) {
      // A cancelled read rejects; anything else is a real failure of the pipe.
      if (!cancelled) throw error;
    } finally {
      reader.releaseLock();
    }
    pending += decoder.decode();
    if (pending.length > 0) onLine(pending.replace(/\r$/, ""));
  })();
  return {
    done,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      reader.cancel().catch(() => {});
    },
  };
}

/**
 * Calls `onLine` for every line of `stream` and resolves when it ends.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * await forEachLine(new Blob(["a\nb"]).stream(), (line) => lines.push(line)); // ["a", "b"]
 * ```
 */
export function forEachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  return readLines(stream, onLine).done;
}
