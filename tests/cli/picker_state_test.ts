import { assertEquals } from "../support/assert.ts";
import {
  decodeKeys,
  initialPicker,
  pickedIndex,
  type PickerKey,
  pickerReduce,
  withSearchHits,
} from "../../src/cli/picker_state.ts";

const labels = ["abc claude fix auth", "def codex add tests", "ghi gemini explain auth flow"];

function press(keys: PickerKey[]) {
  return keys.reduce(pickerReduce, initialPicker(labels));
}

Deno.test("pickerReduce() moves the cursor within bounds", () => {
  const state = press([{ kind: "up" }, { kind: "down" }, { kind: "down" }, { kind: "down" }]);
  assertEquals(state.cursor, 2);
  assertEquals(press([{ kind: "up" }]).cursor, 0);
});

Deno.test("pickerReduce() filters by every typed word and resets the cursor", () => {
  const state = press([
    { kind: "down" },
    ..."auth gem".split("").map((text) => ({ kind: "text", text }) as PickerKey),
  ]);
  assertEquals(state.visible, [2]);
  assertEquals(state.cursor, 0);
  const widened = pickerReduce(
    pickerReduce(pickerReduce(pickerReduce(state, { kind: "backspace" }), { kind: "backspace" }), {
      kind: "backspace",
    }),
    { kind: "backspace" },
  );
  assertEquals(widened.visible, [0, 2]);
});

Deno.test("pickedIndex() gives the chosen label's index after Enter, none after Esc", () => {
  const chosen = press([{ kind: "text", text: "t" }, { kind: "down" }, { kind: "enter" }]);
  assertEquals(pickedIndex(chosen), 1);
  assertEquals(pickedIndex(press([{ kind: "escape" }])), undefined);
});

Deno.test("pickerReduce() ignores Enter when nothing matches", () => {
  const state = press([{ kind: "text", text: "zzz" }, { kind: "enter" }]);
  assertEquals(state.done, undefined);
});

Deno.test("decodeKeys() decodes arrows, Enter, Esc, Ctrl-C, backspace and text", () => {
  assertEquals(decodeKeys("\x1b[A\x1b[Bx\r"), [
    { kind: "up" },
    { kind: "down" },
    { kind: "text", text: "x" },
    { kind: "enter" },
  ]);
  assertEquals(decodeKeys("\x7f\x1b"), [{ kind: "backspace" }, { kind: "escape" }]);
  assertEquals(decodeKeys("\x03"), [{ kind: "escape" }]);
  assertEquals(decodeKeys("认"), [{ kind: "text", text: "认" }]);
});

Deno.test("withSearchHits() shows what the full-text index found for the current filter only", () => {
  const typed = press("parser".split("").map((text) => ({ kind: "text", text }) as PickerKey));
  assertEquals(typed.visible, []);
  const found = withSearchHits(typed, "parser", new Set([1]));
  assertEquals(found.visible, [1]);
  assertEquals(pickedIndex(pickerReduce(found, { kind: "enter" })), 1);
  // An answer for a filter the user has since changed is dropped.
  const moved = pickerReduce(typed, { kind: "backspace" });
  assertEquals(withSearchHits(moved, "parser", new Set([1])).visible, []);
  // Typing on forgets the old hits until the index answers again.
  assertEquals(pickerReduce(found, { kind: "text", text: "s" }).visible, []);
});
