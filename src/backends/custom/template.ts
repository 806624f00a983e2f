/**
 * The argv templates of a custom backend: `{prompt}`, `{session_id}`, `{model}` and `{workdir}`
 * placeholders (`{{` and `}}` for literal braces).
 * @module
 */

/** The placeholders an argv template may use. */
export const PLACEHOLDERS = ["prompt", "session_id", "model", "workdir"] as const;

/** One of {@linkcode PLACEHOLDERS}. */
export type Placeholder = typeof PLACEHOLDERS[number];

const TOKEN = /\{\{|\}\}|\{([^{}]*)\}/g;

/**
 * The placeholder names used in `text`, in order (unknown ones included, for validation).
 *
 * @example
 * ```ts
 * placeholdersIn("--resume={session_id}"); // ["session_id"]
 * placeholdersIn("{{literal}}"); // []
 * ```
 */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(TOKEN)].filter((m) => m[1] !== undefined).map((m) => m[1]!);
}

/**
 * The argv for `template` with the placeholders filled in from `values`. An element whose
 * placeholder has no value (no model asked for) is left out, and so is the option right before
 * it when it starts with `-` — so `["--model", "{model}"]` disappears when no model is set. A
 * filled-in value is one argv element whatever it holds: nothing is split or interpreted.
 *
 * @example
 * ```ts
 * expandArgs(["run", "--model", "{model}", "{prompt}"], { prompt: "hi" }); // ["run", "hi"]
 * expandArgs(["--model={model}", "{prompt}"], { prompt: "hi", model: "m1" }); // ["--model=m1", "hi"]
 * ```
 */
export function expandArgs(
  template: readonly string[],
  values: Partial<Record<Placeholder, string>>,
): string[] {
  const out: string[] = [];
  template.forEach((element, i) => {
    if (placeholdersIn(element).some((name) => !values[name as Placeholder])) {
      // The option the missing value belonged to goes too.
      const previous = template[i - 1];
      if (
        previous?.startsWith("-") && placeholdersIn(previous).length === 0 &&
        out.at(-1) === previous
      ) {
        out.pop();
      }
      return;
    }
    out.push(
      element.replace(TOKEN, (token, name?: string) => {
        if (token === "{{") return "{";
        if (token === "}}") return "}";
        return values[name as Placeholder] ?? "";
      }),
    );
  });
  return out;
}
