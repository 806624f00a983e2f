import assert from "node:assert/strict";
import { killSignal } from "../../src/platform/kill_signal.ts";

Deno.test("killSignal() sends every signal as asked on Linux and macOS", () => {
  for (const os of ["linux", "darwin"] as const) {
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP", "SIGKILL"] as const) {
      assert.equal(killSignal(os, signal), signal);
    }
  }
});

Deno.test("killSignal() turns a stop into a hard kill on Windows, which has no SIGTERM", () => {
  assert.equal(killSignal("windows", "SIGTERM"), "SIGKILL");
  assert.equal(killSignal("windows", "SIGHUP"), "SIGKILL");
  assert.equal(killSignal("windows", "SIGKILL"), "SIGKILL");
});

Deno.test("killSignal() sends nothing for Ctrl-C on Windows: the console already delivered it", () => {
  assert.equal(killSignal("windows", "SIGINT"), undefined);
});
