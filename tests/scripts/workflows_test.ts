/**
 * Validates the GitHub Actions workflows as data, since nothing else runs them before a push:
 * they must parse, trigger on the right events and call the same tasks as local development.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";

const ROOT = new URL("../../", import.meta.url);

type Json = Record<string, unknown>;

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Json;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, what: string): Json {
  assert.ok(isObject(value), `${what} is not a mapping`);
  return value;
}

async function readWorkflow(name: string): Promise<Json> {
  const text = await Deno.readTextFile(new URL(`.github/workflows/${name}`, ROOT));
  return object(parse(text), name);
}

function job(workflow: Json, name: string): Json {
  return object(object(workflow.jobs, "jobs")[name], `job ${name}`);
}

function steps(job: Json): Step[] {
  assert.ok(Array.isArray(job.steps), "steps is not a list");
  return job.steps.map((step, i) => object(step, `step ${i}`) as Step);
}

function allSteps(workflow: Json): Step[] {
  return Object.keys(object(workflow.jobs, "jobs")).flatMap((name) => steps(job(workflow, name)));
}

function stepRunning(job: Json, command: string): Step {
  const step = steps(job).find((step) =>
    step.run?.split("\n").some((line) => line.trim() === command)
  );
  assert.ok(step, `no step runs "${command}"`);
  return step;
}

/** The Deno version .ci/run installs: CI on GitHub must test with the same one. */
async function ciDenoVersion(): Promise<string> {
  const script = await Deno.readTextFile(new URL(".ci/run", ROOT));
  const version = script.match(/^DENO_VERSION=(\S+)$/m)?.[1];
  assert.ok(version, ".ci/run sets no DENO_VERSION");
  return version;
}

Deno.test("ci.yml runs on every push and pull request", async () => {
  const ci = await readWorkflow("ci.yml");
  const on = object(ci.on, "on");
  assert.deepEqual(Object.keys(on).sort(), ["pull_request", "push"]);
  // A branch or tag filter would let some pushes through unchecked.
  assert.equal(on.push, null);
  assert.equal(on.pull_request, null);
});

Deno.test("ci.yml checks on Linux, macOS and Windows", async () => {
  const check = job(await readWorkflow("ci.yml"), "check");
  const matrix = object(object(check.strategy, "strategy").matrix, "matrix");
  assert.deepEqual(matrix.os, ["ubuntu-latest", "macos-latest", "windows-latest"]);
  assert.equal(check["runs-on"], "${{ matrix.os }}");
});

Deno.test("ci.yml installs .ci/run's Deno and jq, then runs deno task check", async () => {
  const check = job(await readWorkflow("ci.yml"), "check");
  const setup = steps(check).find((step) => step.uses?.startsWith("denoland/setup-deno@"));
  assert.equal(setup?.with?.["deno-version"], await ciDenoVersion());
  const all = steps(check);
  const jq = all.findIndex((step) => step.name === "Install jq");
  assert.ok(all[jq]?.run?.includes("jq --version"), "jq is not installed and checked");
  assert.equal(all[jq]?.if, undefined, "jq must be installed on every OS");
  const install = all.indexOf(stepRunning(check, "deno install --frozen"));
  const taskCheck = all.indexOf(stepRunning(check, "deno task check"));
  assert.ok(jq < install && install < taskCheck, "jq, install and check run out of order");
  assert.equal(stepRunning(check, "deno task check").if, undefined);
});

Deno.test("ci.yml dry-runs deno publish once, on Ubuntu", async () => {
  const check = job(await readWorkflow("ci.yml"), "check");
  const publish = stepRunning(check, "deno publish --dry-run --allow-dirty");
  assert.equal(publish.if, "matrix.os == 'ubuntu-latest'");
});

Deno.test("release.yml runs only for pushed v* tags", async () => {
  const release = await readWorkflow("release.yml");
  const on = object(release.on, "on");
  assert.deepEqual(Object.keys(on), ["push"]);
  assert.deepEqual(object(on.push, "on.push"), { tags: ["v*"] });
});

Deno.test("release.yml builds with deno task compile and attaches dist/ to the release", async () => {
  const release = await readWorkflow("release.yml");
  const build = job(release, "build");
  assert.equal(build["runs-on"], "ubuntu-latest");
  assert.deepEqual(build.permissions, { contents: "write" });
  const compile = steps(build).indexOf(stepRunning(build, "deno task compile"));
  const tagCheck = steps(build).findIndex((step) => step.run?.includes("GITHUB_REF_NAME"));
  assert.ok(tagCheck >= 0 && tagCheck < compile, "the tag is not checked against deno.json first");
  const upload = steps(build).findIndex((step) =>
    step.uses?.startsWith("softprops/action-gh-release@")
  );
  assert.ok(upload > compile, "the release is not created after compiling");
  // dist/* takes the .sha256 files along with the binaries.
  assert.equal(steps(build)[upload]?.with?.files, "dist/*");
});

Deno.test("release.yml publishes to JSR with an OIDC token after the build", async () => {
  const publish = job(await readWorkflow("release.yml"), "publish");
  assert.equal(publish.needs, "build");
  assert.deepEqual(publish.permissions, { contents: "read", "id-token": "write" });
  stepRunning(publish, "deno publish");
});

Deno.test("every action in both workflows is pinned to a version tag", async () => {
  for (const name of ["ci.yml", "release.yml"]) {
    const uses = allSteps(await readWorkflow(name)).flatMap((step) => step.uses ?? []);
    assert.ok(uses.length > 0, `${name} uses no actions`);
    for (const action of uses) {
      assert.match(action, /^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/, `${name}: ${action}`);
    }
  }
});

Deno.test("every deno task the workflows run is defined in deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const tasks = Object.keys(object(config.tasks, "tasks"));
  for (const name of ["ci.yml", "release.yml"]) {
    const runs = allSteps(await readWorkflow(name)).flatMap((step) => step.run ?? []).join("\n");
    const called = [...runs.matchAll(/\bdeno task ([\w:-]+)/g)].map((match) => match[1]);
    assert.ok(called.length > 0, `${name} runs no deno task`);
    for (const task of called) assert.ok(tasks.includes(task ?? ""), `${name}: no task "${task}"`);
  }
});
