/**
 * Positioned reads of a large file, forwards and backwards by lines. The index is read from
 * its end so that "the newest N" costs the same whatever the size of the store.
 * @module
 */

/** Reads up to `length` bytes at `offset` (fewer at end of file). */
export async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  await file.seek(offset, 0); // 0 = Deno.SeekMode.Start; Deno.* is off limits here.
  let filled = 0;
  while (filled < length) {
    const read = await file.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/** One line (without its newline) and the byte offset where it starts. */
export interface LineAt {
  bytes: Uint8Array;
  offset: number;
}

const NEWLINE = 0x0a;

/**
 * Yields the lines of `[begin, end)` from last to first. `begin` must be a line start and
 * `end` just after a newline. Chunks grow from the end, so stopping early reads little.
 */
export async function* linesBackward(
  file: Deno.FsFile,
  begin: number,
  end: number,
  chunkSize = 64 * 1024,
): AsyncGenerator<LineAt> {
  let position = end;
  let carry = new Uint8Array(0);
  while (position > begin) {
    const start = Math.max(begin, position - chunkSize);
    const chunk = await readAt(file, start, position - start);
    const buffer = new Uint8Array(chunk.length + carry.length);
    buffer.set(chunk);
    buffer.set(carry, chunk.length);
    let lineEnd = buffer.length;
    for (
      let i = buffer.lastIndexOf(NEWLINE);
      i >= 0;
      i = i > 0 ? buffer.lastIndexOf(NEWLINE, i - 1) : -1
    ) {
      if (i + 1 < lineEnd) yield { bytes: buffer.subarray(i + 1, lineEnd), offset: start + i + 1 };
      lineEnd = i;
    }
    carry = buffer.slice(0, lineEnd);
    position = start;
  }
  if (carry.length > 0) yield { bytes: carry, offset: begin };
}

/** Splits bytes into lines, first to last; bytes after the last newline are ignored. */
export function splitLines(bytes: Uint8Array, baseOffset = 0): LineAt[] {
  const lines: LineAt[] = [];
  let start = 0;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, start)) {
    if (i > start) lines.push({ bytes: bytes.subarray(start, i), offset: baseOffset + start });
    start = i + 1;
  }
  return lines;
}
