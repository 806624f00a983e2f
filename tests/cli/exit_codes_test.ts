import assert from "node:assert/strict";
import { ExitCode as StricliExit } from "@stricli/core";
import { processExitCode } from "../../src/cli/app_main.ts";

Deno.test("processExitCode() makes stricli's parse failures usage errors and its internal ones failures", () => {
  assert.equal(processExitCode(StricliExit.InvalidArgument), 2);
  assert.equal(processExitCode(StricliExit.UnknownCommand), 2);
  assert.equal(processExitCode(StricliExit.InternalError), 1);
  assert.equal(processExitCode(StricliExit.CommandLoadError), 1);
  assert.equal(processExitCode(StricliExit.ContextLoadError), 1);
  assert.equal(processExitCode(0), 0);
  assert.equal(processExitCode(145), 145);
});
