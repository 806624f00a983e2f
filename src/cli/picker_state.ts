/**
 * The session picker's state and key handling, kept pure so it is tested without a terminal.
 * @module
 */

/** Keys the picker understands, decoded from raw terminal input. */
export type PickerKey =
  | { kind: "up" }
  | { kind: "down" }
  | { kind: "enter" }
  | { kind: "escape" }
  | { kind: "backspace" }
  | { kind: "text"; text: string };

/** Picker state over a list of labelled items. */
export interface PickerState {
  labels: readonly string[];
  filter: string;
  /** Indexes into `labels` that match the filter. */
  visible: number[];
  /** Position within `visible`. */
  cursor: number;
  /**
   * Indexes that the catalog's full-text search found for `filter` (words in prompts, answers
   * or tags the labels do not show); shown along with the label matches.
   */
  found: ReadonlySet<number>;
  done: "chosen" | "cancelled" | undefined;
}

function matches(
  labels: readonly string[],
  filter: string,
  found: ReadonlySet<number> = new Set(),
): number[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  return labels.flatMap((label, index) =>
    found.has(index) || words.every((word) => label.toLowerCase().includes(word)) ? [index] : []
  );
}

/**
 * Adds what the full-text search found for the current filter (`filter` is the one it was
 * asked for: an answer for an older filter is dropped). The cursor stays on its item.
 */
export function withSearchHits(
  state: PickerState,
  filter: string,
  found: ReadonlySet<number>,
): PickerState {
  if (filter !== state.filter || state.done) return state;
  const current = state.visible[state.cursor];
  const visible = matches(state.labels, state.filter, found);
  const cursor = current === undefined ? 0 : Math.max(0, visible.indexOf(current));
  return { ...state, found, visible, cursor };
}

/** Initial state. */
export function initialPicker(labels: readonly string[]): PickerState {
  return {
    labels,
    filter: "",
    visible: labels.map((_, i) => i),
    cursor: 0,
    found: new Set(),
    done: undefined,
  };
}

/** Applies one key. */
export function pickerReduce(state: PickerState, key: PickerKey): PickerState {
  switch (key.kind) {
    case "up":
      return { ...state, cursor: Math.max(0, state.cursor - 1) };
    case "down":
      return {
        ...state,
        cursor: Math.min(Math.max(0, state.visible.length - 1), state.cursor + 1),
      };
    case "enter":
      return state.visible.length > 0 ? { ...state, done: "chosen" } : state;
    case "escape":
      return { ...state, done: "cancelled" };
    case "backspace":
    case "text": {
      const filter = key.kind === "text"
        ? state.filter + key.text
        : [...state.filter].slice(0, -1).join("");
      const found = new Set<number>();
      return { ...state, filter, found, visible: matches(state.labels, filter), cursor: 0 };
    }
  }
}

/** The chosen item's index into `labels`, once Enter was pressed. */
export function pickedIndex(state: PickerState): number | undefined {
  return state.done === "chosen" ? state.visible[state.cursor] : undefined;
}

/** Decodes a chunk of raw terminal input into keys. */
export function decodeKeys(chunk: string): PickerKey[] {
  const keys: PickerKey[] = [];
  let rest = chunk;
  while (rest.length > 0) {
    if (rest.startsWith("\x1b[A") || rest.startsWith("\x1bOA")) {
      keys.push({ kind: "up" });
      rest = rest.slice(3);
    } else if (rest.startsWith("\x1b[B") || rest.startsWith("\x1bOB")) {
      keys.push({ kind: "down" });
      rest = rest.slice(3);
    } else if (rest.startsWith("\x1b[")) {
      rest = rest.slice(3); // other cursor keys: ignored
    } else if (rest[0] === "\x1b" || rest[0] === "\x03") {
      keys.push({ kind: "escape" }); // Esc or Ctrl-C
      rest = rest.slice(1);
    } else if (rest[0] === "\r" || rest[0] === "\n") {
      keys.push({ kind: "enter" });
      rest = rest.slice(1);
    } else if (rest[0] === "\x7f" || rest[0] === "\b") {
      keys.push({ kind: "backspace" });
      rest = rest.slice(1);
    } else if (rest[0] === "\x10" || rest[0] === "\x0e") {
      keys.push({ kind: rest[0] === "\x10" ? "up" : "down" }); // Ctrl-P / Ctrl-N
      rest = rest.slice(1);
    } else {
      const char = [...rest][0]!;
      if (char >= " ") keys.push({ kind: "text", text: char });
      rest = rest.slice(char.length);
    }
  }
  return keys;
}
