/**
 * The checks of `backends.*` that look at more than one key: a backend of the user's own must
 * say it is one (`kind: custom`) and how to run and read it, its argv templates must use known
 * placeholders, and `default_backend` must name a configured backend.
 * @module
 */
import { BACKEND_NAMES } from "../backends/types.ts";
import { PLACEHOLDERS, placeholdersIn } from "../backends/custom/template.ts";
import { type BackendConfig, type Config, getAtPath, isBuiltinBackend } from "./schema.ts";

/** A problem at `path` (at its list item `index`, when set). */
export interface BackendProblem {
  path: string;
  index?: number;
  message: string;
}

const ARG_KINDS = ["new", "resume", "fork", "ephemeral"] as const;

/**
 * Checks the backends defined in a config file. `fileValues` is what the file set (before
 * defaults), `config` the merged result.
 */
export function checkBackendDefinitions(
  config: Config,
  fileValues: Record<string, unknown>,
): BackendProblem[] {
  const problems: BackendProblem[] = [];
  const defined = Object.keys((getAtPath(fileValues, "backends") ?? {}) as object);
  for (const name of defined.filter((n) => !isBuiltinBackend(n))) {
    const settings = config.backends[name]!;
    const at = `backends.${name}`;
    if (settings.kind !== "custom") {
      problems.push({
        path: at,
        message:
          `unknown backend "${name}": to define a backend of your own, give it kind: custom ` +
          `(built in: ${BACKEND_NAMES.join(", ")})`,
      });
      continue;
    }
    problems.push(...checkCustom(name, settings));
  }
  const chosen = getAtPath(fileValues, "default_backend");
  if (typeof chosen === "string" && !Object.hasOwn(config.backends, chosen)) {
    problems.push({
      path: "default_backend",
      message: `default_backend "${chosen}" is not a configured backend (configured: ${
        Object.keys(config.backends).join(", ")
      })`,
    });
  }
  return problems;
}

function checkCustom(name: string, settings: BackendConfig): BackendProblem[] {
  const at = `backends.${name}`;
  const problems: BackendProblem[] = [];
  const args = settings.args ?? {};
  if (!args.new) {
    problems.push({
      path: at,
      message: `custom backend "${name}" needs args.new: its argv for a new session`,
    });
  }
  const format = settings.output?.format;
  if (!format) {
    problems.push({
      path: at,
      message: `custom backend "${name}" needs output.format: jsonl, json or text`,
    });
  } else if (format !== "text" && !settings.output?.text) {
    problems.push({
      path: `${at}.output.format`,
      message:
        `custom backend "${name}" prints ${format}: set output.text, the JSON path to its answer`,
    });
  }
  for (const kind of ARG_KINDS) {
    const list = args[kind];
    if (!list) continue;
    const path = `${at}.args.${kind}`;
    list.forEach((element, index) => {
      for (const used of placeholdersIn(element)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(used)) {
          problems.push({
            path,
            index,
            message: `${path}: unknown placeholder {${used}} (use ${
              PLACEHOLDERS.map((p) => `{${p}}`).join(", ")
            }; {{ and }} for braces)`,
          });
        }
      }
    });
    const used = new Set(list.flatMap(placeholdersIn));
    if (!used.has("prompt")) {
      problems.push({ path, message: `${path} must pass the prompt: add {prompt}` });
    }
    if ((kind === "resume" || kind === "fork") && !used.has("session_id")) {
      problems.push({
        path,
        message: `${path} must name the session to continue: add {session_id}`,
      });
    }
  }
  const choosesId = (args.new ?? []).some((element) =>
    placeholdersIn(element).includes("session_id")
  );
  if ((args.resume || args.fork) && !choosesId && !settings.output?.session_id) {
    problems.push({
      path: `${at}.args.${args.resume ? "resume" : "fork"}`,
      message: `custom backend "${name}" cannot be resumed without its session id: set ` +
        "output.session_id, or put {session_id} in args.new so that clinvk chooses it",
    });
  }
  if (format === "text" && settings.output?.session_id) {
    problems.push({
      path: `${at}.output.session_id`,
      message: `custom backend "${name}" prints text, which has no JSON path to read`,
    });
  }
  return problems;
}
