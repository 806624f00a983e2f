/**
 * Reads a run file — YAML or JSON, clinvk's format or clinvoker's `tasks`/`steps` files — into
 * a {@linkcode RunSpec}, or fails with every problem at its `file:line:column`.
 * @module
 */
import { type Document, isMap, isNode, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { checkPrompt } from "../cli/prompt_input.ts";
import { ClinvkError, ExitCode } from "../errors.ts";
import { closestName } from "../config/suggest.ts";
import { resolveGraph } from "./graph.ts";
import {
  DEFAULT_RETRY_DELAY_SECONDS,
  type RunKind,
  type RunSpec,
  type SessionRef,
  type TaskSpec,
} from "./run_spec.ts";
import {
  DEFAULTS_KEYS,
  RUN_FILE_KEYS,
  type RunFileInput,
  runFileSchema,
  TASK_KEYS,
  type TaskInput,
} from "./run_file_schema.ts";

/** A place in the file: keys and list indexes from the top. */
export type FilePath = (string | number)[];

/** One thing wrong (or worth a warning) in a run file. */
export interface RunFileProblem {
  /** The file as named by the user, or `-` for stdin. */
  file: string;
  /** 1-based; 0 when the input had no text (a parsed JSON value). */
  line: number;
  column: number;
  /** Where in the file, e.g. `tasks[2].timeout`. */
  path: string;
  message: string;
}

/** Formats a problem the way compilers do: `file:line:column: path: message`. */
export function formatRunFileProblem(problem: RunFileProblem): string {
  const where = problem.line > 0
    ? `${problem.file}:${problem.line}:${problem.column}: `
    : problem.file
    ? `${problem.file}: `
    : "";
  return `${where}${problem.path ? `${problem.path}: ` : ""}${problem.message}`;
}

/**
 * A run file that cannot run (exit 2). Its message is the first problem; `problems` has all.
 */
export class RunFileError extends ClinvkError {
  /** Every problem found, in file order. */
  readonly problems: RunFileProblem[];

  /** The error for `problems` (at least one). */
  constructor(problems: RunFileProblem[]) {
    const others = problems.length - 1;
    const more = others > 0 ? ` (and ${others} more problem${others === 1 ? "" : "s"})` : "";
    super(`Invalid run file ${formatRunFileProblem(problems[0]!)}${more}`, ExitCode.Usage);
    this.name = "RunFileError";
    this.problems = problems;
  }
}

/** Options of {@linkcode parseRunText} and {@linkcode parseRunValue}. */
export interface ParseRunOptions {
  /** File name for messages (`-` for stdin). */
  file: string;
  /** The preset reading the file: `chain` makes each step need the one before. */
  kind: RunKind;
  /** Backend names that may appear; others are reported. Default: any name. */
  backends?: readonly string[];
}

/** A parsed run file, and what in it clinvk accepts but does not apply. */
export interface ParsedRun {
  spec: RunSpec;
  warnings: RunFileProblem[];
}

interface Finding {
  path: FilePath;
  /** For an unknown key: the key, so the position is the key's own. */
  key?: string;
  message: string;
}

/**
 * Parses the text of a run file (YAML; JSON is YAML too).
 *
 * @throws {RunFileError} exit 2 with every problem and its position.
 * @example
 * ```ts
 * const { spec } = parseRunText("tasks:\n  - prompt: hello\n", { file: "t.yaml", kind: "parallel" });
 * spec.tasks[0]!.id; // "task-1"
 * ```
 */
export function parseRunText(text: string, options: ParseRunOptions): ParsedRun {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (finding: Finding): RunFileProblem => {
    const offset = findOffset(doc, finding);
    const { line, col } = offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
    return {
      file: options.file,
      line,
      column: col,
      path: formatPath(finding.path),
      message: finding.message,
    };
  };
  if (doc.errors.length > 0) {
    throw new RunFileError(doc.errors.map((error) => {
      const { line, col } = lines.linePos(error.pos[0]);
      const message = error.message.split("\n", 1)[0]!.replace(/ at line \d+, column \d+:?$/, "");
      return { file: options.file, line, column: col, path: "", message };
    }));
  }
  if (doc.warnings.length > 0 && doc.contents === null) {
    throw new RunFileError([at({ path: [], message: "the run file is empty" })]);
  }
  const { spec, problems, warnings } = check(withoutNulls(doc.toJS()), options);
  if (problems.length > 0) throw new RunFileError(problems.map(at));
  return { spec: spec!, warnings: warnings.map(at) };
}

/**
 * Parses a run file that is already a value (a JSON request body); problems name their path.
 *
 * @throws {RunFileError} exit 2 with every problem.
 */
export function parseRunValue(value: unknown, options: ParseRunOptions): ParsedRun {
  const at = (finding: Finding): RunFileProblem => ({
    file: options.file,
    line: 0,
    column: 0,
    path: formatPath(finding.key ? [...finding.path, finding.key] : finding.path),
    message: finding.message,
  });
  const { spec, problems, warnings } = check(withoutNulls(value), options);
  if (problems.length > 0) throw new RunFileError(problems.map(at));
  return { spec: spec!, warnings: warnings.map(at) };
}

function check(
  value: unknown,
  options: ParseRunOptions,
): { spec?: RunSpec; problems: Finding[]; warnings: Finding[] } {
  if (value === null || value === undefined) {
    return { problems: [{ path: [], message: "the run file is empty" }], warnings: [] };
  }
  // A bare list of tasks is a run file too.
  const input = Array.isArray(value) ? { tasks: value } : value;
  const listKey = Array.isArray(value) ? undefined : "tasks";
  const parsed = runFileSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, input));
    // Paths inside a bare list start at the list itself.
    if (!listKey) { for (const p of problems) if (p.path[0] === "tasks") p.path.shift(); }
    return { problems, warnings: [] };
  }
  const result = toSpec(parsed.data, options);
  if (!listKey) {
    for (const p of [...result.problems, ...result.warnings]) {
      if (p.path[0] === "tasks") p.path.shift();
    }
  }
  return result;
}

/** YAML's `key:` with nothing after it means "not set", as in config.yaml. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

function toSpec(
  input: RunFileInput,
  options: ParseRunOptions,
): { spec?: RunSpec; problems: Finding[]; warnings: Finding[] } {
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  if (input.tasks && input.steps) {
    problems.push({ path: ["steps"], message: "give either tasks or steps, not both" });
  }
  const listKey = input.steps && !input.tasks ? "steps" : "tasks";
  const written = input.tasks ?? input.steps ?? [];
  if (written.length === 0) {
    const missing = input.tasks === undefined && input.steps === undefined;
    problems.push({
      path: missing ? [] : [listKey],
      message: missing ? "no tasks: add a list under tasks: (or steps:)" : "the task list is empty",
    });
  }
  if (input.persist_sessions === true || input.pass_session_id === true) {
    if (options.kind !== "chain") {
      problems.push({
        path: [input.pass_session_id ? "pass_session_id" : "persist_sessions"],
        message: "only chains take this option",
      });
    }
  }
  const chain = options.kind === "chain";
  const defaults = input.defaults ?? {};
  const tasks = written.map((raw, index) => {
    const task = { ...defaults, ...raw } as TaskInput;
    const path: FilePath = [listKey, index];
    for (const field of ["approval_mode", "sandbox_mode", "extra", "max_turns", "max_tokens"]) {
      if ((task as Record<string, unknown>)[field] === undefined) continue;
      const fromDefaults = (raw as Record<string, unknown>)[field] === undefined;
      warnings.push({
        path: fromDefaults ? ["defaults", field] : [...path, field],
        message: `not applied per task; set it for the backend in config.yaml ` +
          `(backends.<name>.${field === "extra" ? "extra_args" : field})`,
      });
    }
    try {
      checkPrompt(task.prompt);
    } catch (error) {
      problems.push({ path: [...path, "prompt"], message: (error as Error).message });
    }
    if (task.resume && task.fork) {
      problems.push({ path: [...path, "fork"], message: "give either resume or fork, not both" });
    }
    if (task.workdir && task.work_dir) {
      problems.push({ path: [...path, "work_dir"], message: "give either workdir or work_dir" });
    }
    if (task.backend && options.backends && !options.backends.includes(task.backend)) {
      const fromDefaults = raw.backend === undefined;
      problems.push({
        path: fromDefaults ? ["defaults", "backend"] : [...path, "backend"],
        message: `unknown backend "${task.backend}" (known: ${options.backends.join(", ")})`,
      });
    }
    const resume = sessionRef(task.resume, [...path, "resume"], problems);
    const fork = sessionRef(task.fork, [...path, "fork"], problems);
    const spec: TaskSpec = {
      id: task.id ?? `${chain ? "step" : "task"}-${index + 1}`,
      prompt: task.prompt,
      needs: typeof task.needs === "string" ? [task.needs] : [...task.needs ?? []],
      ephemeral: task.ephemeral ?? (chain && input.persist_sessions === false),
      retries: task.retries ?? 0,
      retry_delay_seconds: task.retry_delay ?? DEFAULT_RETRY_DELAY_SECONDS,
      worktree: task.worktree ?? false,
      tags: [...new Set(task.tags ?? [])],
      ...definedFields({
        name: task.name,
        backend: task.backend,
        model: task.model,
        workdir: task.workdir ?? task.work_dir,
        resume,
        fork,
        timeout_seconds: task.timeout || undefined,
        idle_timeout_seconds: task.idle_timeout || undefined,
        check: task.check,
        system_prompt: task.system_prompt,
        dry_run: task.dry_run,
        meta: task.meta,
      }),
    };
    return spec;
  });
  if (chain) chainSteps(tasks, input);
  const graph = resolveGraph(tasks);
  for (const problem of graph.problems) {
    const path: FilePath = [listKey, problem.task_index];
    const writtenTask = written[problem.task_index] as Record<string, unknown> | undefined;
    // Point at the field when the task spells it out; an implicit need points at the task.
    const present = writtenTask?.[problem.field] !== undefined;
    problems.push({ path: present ? [...path, problem.field] : path, message: problem.message });
  }
  if (problems.length > 0) return { problems, warnings };
  const spec: RunSpec = {
    kind: options.kind,
    tasks: graph.tasks,
    ...definedFields({
      name: input.name,
      max_parallel: input.max_parallel,
      fail_fast: input.fail_fast,
      max_tokens: input.max_tokens,
      output_dir: input.output_dir,
      pass_working_dir: input.pass_working_dir,
    }),
  };
  return { spec, problems, warnings };
}

/** Chains: each step needs (and `{{previous}}` is) the one before. */
function chainSteps(tasks: TaskSpec[], input: RunFileInput): void {
  for (let i = 1; i < tasks.length; i++) {
    const step = tasks[i]!;
    const before = tasks[i - 1]!;
    if (!step.needs.includes(before.id)) step.needs.unshift(before.id);
    step.previous = before.id;
    if (input.stop_on_failure === false) step.after_failure = true;
    if (input.pass_session_id && !step.resume && !step.fork && !step.ephemeral) {
      step.resume = { kind: "task", task_id: before.id };
    }
  }
}

function sessionRef(
  value: string | undefined,
  path: FilePath,
  problems: Finding[],
): SessionRef | undefined {
  if (value === undefined) return undefined;
  const match = /^task:(.+)$/.exec(value);
  if (match) return { kind: "task", task_id: match[1]!.trim() };
  const id = value.toLowerCase();
  if (!/^[a-z0-9]{1,64}$/.test(id)) {
    problems.push({
      path,
      message: `"${value}" is neither a session id nor task:<id>`,
    });
    return undefined;
  }
  return { kind: "session", session_id: id };
}

/** `fields` without its `undefined` entries, so records stay free of `"x": undefined`. */
function definedFields<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<
    T
  >;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  return JSON.stringify(value) ?? String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): Finding {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0]!;
      const known = path.length === 0
        ? RUN_FILE_KEYS
        : path[0] === "defaults"
        ? DEFAULTS_KEYS
        : TASK_KEYS;
      const suggestion = closestName(key, known);
      return {
        path,
        key,
        message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
      };
    }
    case "invalid_type": {
      const actual = valueAt(input, path);
      if (actual === undefined) {
        return { path: path.slice(0, -1), message: `"${String(path.at(-1))}" is required` };
      }
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return { path, message: `expected ${expected}, got ${describeValue(actual)}` };
    }
    case "invalid_union":
      if (path.at(-1) === "needs") {
        return { path, message: "expected a task id or a list of task ids" };
      }
      return {
        path,
        message: `expected seconds or a duration like 90s, 30m or 1h30m, got ${
          describeValue(valueAt(input, path))
        }`,
      };
    case "too_small":
      return { path, message: `must be at least ${issue.minimum}` };
    case "too_big":
      return { path, message: `must be at most ${issue.maximum}` };
    default:
      return { path, message: issue.message };
  }
}

/** `tasks[2].timeout`. */
function formatPath(path: FilePath): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`).join("");
}

/** Offset of the node a finding points at: the key itself for unknown keys, else the value. */
function findOffset(doc: Document, finding: Finding): number | undefined {
  for (let length = finding.path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(finding.path.slice(0, length), true);
    if (!isNode(node)) continue;
    if (finding.key !== undefined && length === finding.path.length && isMap(node)) {
      const pair = node.items.find((p) =>
        isNode(p.key) && (p.key as Node & { value?: unknown }).value === finding.key
      );
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return keyNode.range[0];
    }
    if (node.range) return node.range[0];
  }
  return undefined;
}
