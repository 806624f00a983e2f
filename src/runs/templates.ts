/**
 * Prompt templates of run tasks: `{{previous}}` (the output of the one task this one needs),
 * `{{tasks.<id>.output}}` and `{{tasks.<id>.session_id}}`. Anything else in double braces is
 * left as written, so prompts that quote Handlebars or Jinja code stay intact.
 * @module
 */

/** The fields a template can read from another task. */
export const TEMPLATE_FIELDS = ["output", "session_id"] as const;
/** A field a template can read. */
export type TemplateField = typeof TEMPLATE_FIELDS[number];

/** One placeholder found in a prompt. */
export type TemplateRef =
  | { kind: "previous"; text: string }
  | { kind: "task"; task_id: string; field: string; text: string };

const PLACEHOLDER = /\{\{\s*(previous|tasks\.([^\s{}]+)\.([A-Za-z_]+))\s*\}\}/g;

/** Every placeholder of `prompt`, in order (unknown fields included, for the validator). */
export function templateRefs(prompt: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  for (const match of prompt.matchAll(PLACEHOLDER)) {
    if (match[1] === "previous") refs.push({ kind: "previous", text: match[0] });
    else refs.push({ kind: "task", task_id: match[2]!, field: match[3]!, text: match[0] });
  }
  return refs;
}

/** What a placeholder renders to. */
export interface TemplateValues {
  /** The output of the task `{{previous}}` stands for. */
  previous?: string;
  /** `task id → field → value`; `undefined` leaves the placeholder as written. */
  task(taskId: string, field: TemplateField): string | undefined;
}

/**
 * Fills the placeholders of `prompt`.
 *
 * @example
 * ```ts
 * renderTemplate("Fix: {{tasks.lint.output}}", { task: () => "2 warnings" }); // "Fix: 2 warnings"
 * ```
 */
export function renderTemplate(prompt: string, values: TemplateValues): string {
  return prompt.replace(PLACEHOLDER, (text, _whole, taskId?: string, field?: string) => {
    if (taskId === undefined) return values.previous ?? text;
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field!)) return text;
    return values.task(taskId, field as TemplateField) ?? text;
  });
}
