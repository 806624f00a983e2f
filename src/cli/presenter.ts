/**
 * Shows a turn to the user in the chosen output format: `text` (the answer on stdout, a
 * spinner and diagnostics on stderr), `json` (one object at the end) or `stream-json` (unified
 * events as they arrive, then `done`).
 * @module
 */
import type { UnifiedEvent } from "../backends/types.ts";
import type { OutputFormat } from "../config/schema.ts";
import { palette } from "../output/color.ts";
import { startSpinner } from "../output/spinner.ts";
import {
  streamDoneLine,
  streamEventLine,
  textFooter,
  turnJson,
  type TurnReport,
} from "../output/turn_output.ts";
import type { AppContext } from "./context.ts";

/** Presentation options. */
export interface PresenterOptions {
  format: OutputFormat;
  color: boolean;
  showTokens: boolean;
  showTiming: boolean;
  /** Spinner label, e.g. "claude is working…". */
  label: string;
}

/** Receives a turn's events and its final report. */
export interface Presenter {
  onEvent(event: UnifiedEvent, sessionId: string | undefined): void;
  finish(report: TurnReport): void;
  /** Stops the spinner; safe to call more than once. */
  stop(): void;
}

/** Creates the presenter for one turn. */
export function createPresenter(context: AppContext, options: PresenterOptions): Presenter {
  const { stdout, stderr } = context.platform;
  const colors = palette(options.color);
  // A spinner is not colour: NO_COLOR does not turn it off; a non-terminal stderr does.
  const spinner = startSpinner(stderr, options.label, options.format === "text");
  return {
    onEvent(event, sessionId) {
      if (options.format !== "stream-json") return;
      const line = streamEventLine(event, sessionId);
      if (line) stdout.write(line);
    },
    stop: () => spinner.stop(),
    finish(report) {
      spinner.stop();
      if (options.format === "json") {
        stdout.write(JSON.stringify(turnJson(report), null, 2) + "\n");
        return;
      }
      if (options.format === "stream-json") {
        // The engine already sent the one fatal `error` event of a failed turn.
        stdout.write(streamDoneLine(report));
        return;
      }
      if (report.content) {
        stdout.write(report.content.endsWith("\n") ? report.content : report.content + "\n");
      }
      const footer = textFooter(report, { tokens: options.showTokens, timing: options.showTiming });
      if (footer) stderr.write(colors.dim(footer));
    },
  };
}
