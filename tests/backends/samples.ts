/**
 * Access to the recorded outputs of the real backend CLIs in `tests/fixtures/samples/` (a copy of `shared/samples`)
 * (samples/README.md), read at test time so tests check exactly what the CLIs print.
 * @module
 */
import type { Backend, BackendName, TurnResult } from "../../src/backends/types.ts";

/** The shared samples folder, relative to this repository. */
export const SAMPLES_DIR = new URL("../fixtures/samples/", import.meta.url);

/** One line of `samples/index.jsonl`. */
export interface Scenario {
  cli: BackendName;
  scenario: string;
  argv: string[];
  env: string[];
  exit: number;
}

/** Reads a file of the samples folder, e.g. `readSample("claude/new-json.stdout")`. */
export function readSample(path: string): Promise<string> {
  return Deno.readTextFile(new URL(path, SAMPLES_DIR));
}

/** stdout and stderr recorded for `cli`'s `scenario`. */
export async function sampleOutput(
  cli: BackendName,
  scenario: string,
): Promise<{ stdout: string; stderr: string }> {
  const [stdout, stderr] = await Promise.all([
    readSample(`${cli}/${scenario}.stdout`),
    readSample(`${cli}/${scenario}.stderr`),
  ]);
  return { stdout, stderr };
}

/** Every scenario of `samples/index.jsonl` recorded for `cli`. */
export async function scenarios(cli: BackendName): Promise<Scenario[]> {
  const text = await readSample("index.jsonl");
  return text.split("\n").filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Scenario)
    .filter((s) => s.cli === cli);
}

/** Scenario names of `cli` whose outputs are stored (`<name>.stdout` exists). */
export async function recordedScenarioNames(cli: BackendName): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(new URL(`${cli}/`, SAMPLES_DIR))) {
    if (entry.name.endsWith(".stdout")) names.push(entry.name.slice(0, -".stdout".length));
  }
  return names.sort();
}

/** The argument following `flag` in `argv` (fails the test when absent). */
export function valueAfter(argv: string[], flag: string): string {
  const index = argv.indexOf(flag);
  const value = index < 0 ? undefined : argv[index + 1];
  if (value === undefined) throw new Error(`No value after ${flag} in ${JSON.stringify(argv)}`);
  return value;
}

/** The JSON objects of a JSON-lines text. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l));
}

/**
 * A recorded argv as clinvk runs it: clinvk always streams, so a one-shot JSON run's output
 * flag (Claude `--output-format json`, Gemini `-o json`) becomes the streaming one.
 */
export function asStreamArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === "--output-format" && argv[i + 1] === "json") {
      out.push("--output-format", "stream-json", "--verbose");
      i++;
    } else if (flag === "-o" && argv[i + 1] === "json") {
      out.push("-o", "stream-json");
      i++;
    } else {
      out.push(flag);
    }
  }
  return out;
}

/**
 * What clinvk reads from a recorded run, the way the engine reads a live one: the stream parser
 * over every stdout line, then the error from stderr when the stream did not carry one and the
 * run failed.
 */
export function replay(
  backend: Backend,
  stdout: string,
  stderr: string,
  failed = stderr.trim() !== "",
): TurnResult {
  const parser = backend.createStreamParser();
  for (const line of stdout.split("\n")) parser.push(line);
  parser.end?.();
  const result = parser.result();
  if (failed && result.error === undefined) {
    const fromStderr = backend.errorFromStderr(stderr);
    if (fromStderr !== undefined) result.error = fromStderr;
  }
  return result;
}
