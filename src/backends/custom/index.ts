/**
 * A backend the user defines in config (`backends.<name>` with `kind: custom`, SPEC §12): any
 * agent CLI, described by its argv templates and how to read its output. See README, "Custom
 * backends".
 * @module
 */
import type { BackendConfig } from "../../config/schema.ts";
import { usageError } from "../../errors.ts";
import {
  classOfHttpStatus,
  httpStatusIn,
  NETWORK_ERROR,
  OVERLOADED_ERROR,
  RATE_LIMIT_ERROR,
} from "../shared/error_class.ts";
import { resolveModelAlias } from "../shared/models.ts";
import { errorLine } from "../shared/stderr_noise.ts";
import { withSystemPreamble } from "../shared/system_prompt.ts";
import type { Backend, BackendFailure, ErrorClass, TurnRequest } from "../types.ts";
import { createCustomParser } from "./output.ts";
import { expandArgs, placeholdersIn } from "./template.ts";

/**
 * The plug-in for custom backend `name` configured by `settings` (already validated by the
 * config loader). It resumes when `args.resume` is set, forks when `args.fork` is, keeps nothing
 * when `args.ephemeral` is; with `{session_id}` in `args.new` clinvk chooses the session id.
 */
export function customBackend(name: string, settings: BackendConfig): Backend {
  const args = settings.args ?? {};
  const output = settings.output ?? {};
  const models = settings.models ?? {};
  return {
    name,
    label: settings.label || name,
    kind: "custom",
    models,
    defaultCommand: name,
    installHint: settings.install_hint ||
      `Install the ${name} CLI, or set backends.${name}.command to its path in config.yaml.`,
    canResume: args.resume !== undefined,
    fork: args.fork !== undefined ? "native" : "none",
    ephemeral: args.ephemeral !== undefined ? "native" : "none",
    choosesSessionId: (args.new ?? []).some((a) => placeholdersIn(a).includes("session_id")),
    resolveModel: (model) => resolveModelAlias(models, model),
    turnArgs: (request, context) =>
      new Promise((resolve) => resolve(customArgs(name, settings, request, context.workdir))),
    createStreamParser: () => createCustomParser(name, output),
    errorFromStderr: (stderr) => errorLine(stderr, { noise: [] }),
    classifyError: classifyCustomError,
  };
}

/** The argv of one turn: the template for its kind, filled in, `extra_args` before the prompt. */
function customArgs(
  name: string,
  settings: BackendConfig,
  request: TurnRequest,
  workdir: string,
): string[] {
  const args = settings.args ?? {};
  const kind = request.fork
    ? "fork"
    : request.resumeId !== undefined
    ? "resume"
    : request.ephemeral && args.ephemeral
    ? "ephemeral"
    : "new";
  const template = args[kind];
  if (template === undefined) {
    throw usageError(
      `Custom backend "${name}" cannot ${kind === "fork" ? "fork" : "resume"} a session`,
      `Set backends.${name}.args.${kind} in config.yaml.`,
    );
  }
  const filled = expandArgs(template, {
    prompt: withSystemPreamble(request.prompt, request.systemPrompt),
    session_id: request.resumeId ?? request.newSessionId,
    model: request.model,
    workdir,
  });
  const extra = settings.extra_args ?? [];
  if (extra.length === 0) return filled;
  const at = template.findIndex((element) => placeholdersIn(element).includes("prompt"));
  const before = at < 0 ? filled.length : expandArgs(template.slice(0, at), {
    session_id: request.resumeId ?? request.newSessionId,
    model: request.model,
    workdir,
  }).length;
  return [...filled.slice(0, before), ...extra, ...filled.slice(before)];
}

/** What any CLI's error text says: an HTTP status, a rate limit, an overload, a network failure. */
function classifyCustomError(failure: BackendFailure): ErrorClass {
  const text = [failure.raw, failure.message, failure.stderr].filter(Boolean).join("\n");
  const byStatus = classOfHttpStatus(failure.status ?? httpStatusIn(text));
  if (byStatus) return byStatus;
  if (/\b(?:unauthori[sz]ed|api key|authentication|log ?in)\b/i.test(text)) return "auth";
  if (RATE_LIMIT_ERROR.test(text)) return "rate_limit";
  if (OVERLOADED_ERROR.test(text)) return "overloaded";
  if (NETWORK_ERROR.test(text)) return "network";
  return "other";
}
