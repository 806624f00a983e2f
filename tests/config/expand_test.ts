import assert from "node:assert/strict";
import { expandConfig, expandVars, findVarSyntaxError } from "../../src/config/expand.ts";
import { defaultConfig } from "../../src/config/schema.ts";
import { fakeEnv } from "./helpers.ts";

const env = fakeEnv({ USER: "ada", EMPTY: "", TEAM: "core" });

const cases: [string, string][] = [
  ["${USER}", "ada"],
  ["x-${USER}-${TEAM}", "x-ada-core"],
  ["${UNSET}", ""],
  ["${UNSET:-fallback}", "fallback"],
  ["${EMPTY:-fallback}", "fallback"],
  ["${USER:-fallback}", "ada"],
  ["${UNSET:-a b:c}", "a b:c"],
  ["$${USER}", "${USER}"],
  ["$USER and $5", "$USER and $5"],
  ["no vars", "no vars"],
];
for (const [input, expected] of cases) {
  Deno.test(`expandVars() expands ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () => {
    assert.equal(expandVars(input, env), expected);
  });
}

Deno.test("findVarSyntaxError() reports malformed references and accepts good ones", () => {
  assert.equal(findVarSyntaxError("${USER} $${x} ${A:-b}"), undefined);
  assert.match(findVarSyntaxError("${USER") ?? "", /unterminated/);
  assert.match(findVarSyntaxError("${}") ?? "", /bad variable reference/);
  assert.match(findVarSyntaxError("${1X}") ?? "", /bad variable reference/);
  assert.match(findVarSyntaxError("${A:x}") ?? "", /bad variable reference/);
});

Deno.test("expandConfig() expands ${USER} in default_tags and drops tags that become empty", () => {
  const config = defaultConfig();
  config.session.default_tags = ["clinvk", "${USER}", "${UNSET}", "${USER}"];
  const expanded = expandConfig(config, env);
  assert.deepEqual(expanded.session.default_tags, ["clinvk", "ada"]);
  assert.deepEqual(config.session.default_tags, ["clinvk", "${USER}", "${UNSET}", "${USER}"]);
});

Deno.test("expandConfig() expands strings, list items and env values of backends", () => {
  const config = defaultConfig();
  config.backends.codex.command = "/opt/${TEAM}/codex";
  config.backends.codex.extra_args = ["--profile", "${TEAM}", ""];
  config.backends.codex.env = { OWNER: "${USER}" };
  const { codex } = expandConfig(config, env).backends;
  assert.equal(codex.command, "/opt/core/codex");
  // Empty arguments are kept: unlike tags, an empty argv item can be meaningful.
  assert.deepEqual(codex.extra_args, ["--profile", "core", ""]);
  assert.deepEqual(codex.env, { OWNER: "ada" });
});
