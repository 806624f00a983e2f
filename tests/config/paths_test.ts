import assert from "node:assert/strict";
import { join } from "node:path";
import { ClinvkError } from "../../src/errors.ts";
import { clinvkHome, configPath } from "../../src/config/paths.ts";
import { fakeEnv } from "./helpers.ts";

Deno.test("clinvkHome() prefers CLINVK_HOME over HOME", () => {
  assert.equal(clinvkHome(fakeEnv({ CLINVK_HOME: "/tmp/ch", HOME: "/home/ada" })), "/tmp/ch");
});

Deno.test("clinvkHome() uses HOME/.clinvk, then USERPROFILE/.clinvk", () => {
  assert.equal(clinvkHome(fakeEnv({ HOME: "/home/ada" })), join("/home/ada", ".clinvk"));
  assert.equal(clinvkHome(fakeEnv({ USERPROFILE: "/users/ada" })), join("/users/ada", ".clinvk"));
});

Deno.test("clinvkHome() prefers a home directory passed by the caller over HOME", () => {
  assert.equal(clinvkHome(fakeEnv({ HOME: "/home/ada" }), "/h"), join("/h", ".clinvk"));
});

Deno.test("clinvkHome() treats an empty CLINVK_HOME as unset", () => {
  assert.equal(
    clinvkHome(fakeEnv({ CLINVK_HOME: "", HOME: "/home/ada" })),
    join("/home/ada", ".clinvk"),
  );
});

Deno.test("clinvkHome() fails with exit 2 when no home can be determined", () => {
  assert.throws(
    () => clinvkHome(fakeEnv({})),
    (e) => e instanceof ClinvkError && e.exitCode === 2 && /CLINVK_HOME/.test(e.message),
  );
});

Deno.test("clinvkHome() names the --allow-env flag when Deno refuses to read a variable", () => {
  const env = {
    get(): string | undefined {
      throw new Deno.errors.NotCapable('Requires env access to "CLINVK_HOME"');
    },
  };
  assert.throws(
    () => clinvkHome(env),
    (e) =>
      e instanceof ClinvkError && e.exitCode === 2 &&
      e.hint?.includes("--allow-env (see README") === true,
  );
});

Deno.test("configPath() is home/config.yaml unless --config names a file", () => {
  assert.equal(configPath("/h/.clinvk"), join("/h/.clinvk", "config.yaml"));
  assert.equal(configPath("/h/.clinvk", "./other.yaml"), "./other.yaml");
});
