import assert from "node:assert/strict";
import { configReferenceDocument } from "../../scripts/config_reference.ts";

Deno.test("docs/config.md matches the config schema (run deno task docs after changing keys)", async () => {
  const current = await Deno.readTextFile(new URL("../../docs/config.md", import.meta.url));
  assert.equal(current, configReferenceDocument());
});
