/**
 * Each backend classifies its own errors, read the way the engine reads a failed run: the
 * stream parser over stdout, the error from stderr, the exit code — for every failure recorded
 * from the real CLIs.
 */
import assert from "node:assert/strict";
import { getBackend } from "../../src/backends/registry.ts";
import type { ErrorClass } from "../../src/backends/types.ts";
import { sampleOutput, scenarios } from "./samples.ts";

/** What each recorded failure is. */
const EXPECTED: Record<"claude" | "codex" | "gemini", Record<string, ErrorClass>> = {
  claude: {
    "error-400-json": "bad_request",
    "error-401-json": "auth",
    "error-429-json": "rate_limit",
    "error-500-stream-json": "overloaded",
    "error-bad-resume-id": "not_found",
    "error-no-api-key": "auth",
    "error-server-down": "network",
  },
  codex: {
    "error-400-json": "bad_request",
    "error-401-json": "auth",
    "error-500-json": "overloaded",
    "error-bad-resume-id": "not_found",
    "error-no-api-key": "auth",
    "error-server-down": "network",
    "error-server-down-default-retries": "network",
  },
  gemini: {
    "error-400-json": "bad_request",
    "error-400-stream-json": "bad_request",
    "error-401-json": "auth",
    "error-500-json": "overloaded",
    "error-bad-resume-id": "not_found",
    "error-no-api-key": "auth",
    "error-server-down": "network",
  },
};

for (const cli of ["claude", "codex", "gemini"] as const) {
  for (const { scenario, exit } of await scenarios(cli)) {
    const expected = EXPECTED[cli][scenario];
    if (expected === undefined) continue;
    Deno.test(`${cli} classifies its recorded ${scenario} as ${expected}`, async () => {
      const backend = getBackend(cli);
      const { stdout, stderr } = await sampleOutput(cli, scenario);
      const parser = backend.createStreamParser();
      for (const line of stdout.split("\n")) parser.push(line);
      const result = parser.result();
      const message = result.error ?? backend.errorFromStderr(stderr) ?? `exit ${exit}`;
      const failure = {
        message,
        raw: result.errorRaw,
        status: result.errorStatus,
        exitCode: exit,
        stderr,
      };
      assert.equal(backend.classifyError(failure), expected, message);
    });
  }
}

Deno.test("every failure recorded from the real CLIs has an expected class", async () => {
  for (const cli of ["claude", "codex", "gemini"] as const) {
    for (const { scenario, exit } of await scenarios(cli)) {
      // Codex outside a git repository never happens: clinvk passes --skip-git-repo-check.
      if (exit === 0 || scenario === "error-not-git-repo") continue;
      assert.ok(EXPECTED[cli][scenario], `${cli}/${scenario} is not classified`);
    }
  }
});
