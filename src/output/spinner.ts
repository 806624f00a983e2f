/**
 * A spinner on stderr while a backend works, shown only on a terminal.
 * @module
 */
import type { Output } from "../platform/types.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A running spinner. */
export interface Spinner {
  stop(): void;
}

/** Starts a spinner with `label` on `stream` if it is a terminal; otherwise does nothing. */
export function startSpinner(stream: Output, label: string, enabled: boolean): Spinner {
  if (!enabled || !stream.isTerminal()) return { stop() {} };
  let frame = 0;
  const draw = () => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`);
  draw();
  const timer = setInterval(draw, 100);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      // Erase the spinner line so the answer starts on a clean line.
      stream.write("\r\x1b[2K");
    },
  };
}
