/**
 * The judge of `clinvk compare --judge BACKEND`: a task that runs after every candidate, sees
 * their answers under neutral labels (A, B, …, so it cannot favour a backend by name), and
 * replies with a ranking that clinvk reads back into the run record.
 * @module
 */
import type { JudgeVerdict, RunRecord } from "./run_record.ts";

/** Neutral labels: A … Z, then AA, AB, …. */
export function answerLabel(index: number): string {
  let label = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label;
  }
  return label;
}

/** The judge's prompt: the question, each candidate's answer by label, and the reply format. */
export function judgePrompt(prompt: string, labels: Record<string, string>): string {
  const answers = Object.entries(labels).map(([taskId, label]) =>
    `Answer ${label}:\n<<<\n{{tasks.${taskId}.output}}\n>>>`
  );
  return [
    "You are judging answers that different AI coding agents gave to the same prompt.",
    "Rank them from best to worst by correctness, completeness and clarity.",
    "",
    "The prompt:",
    "<<<",
    prompt,
    ">>>",
    "",
    ...answers.flatMap((answer) => [answer, ""]),
    "Reply with one JSON object and nothing else, for example:",
    `{"ranking": [${Object.values(labels).map((l) => `"${l}"`).join(", ")}], "best": "${
      Object.values(labels)[0]
    }", "reason": "one or two sentences"}`,
  ].join("\n");
}

/** The last `{...}` of `text` that parses as JSON, fenced or not. */
function lastJsonObject(text: string): Record<string, unknown> | undefined {
  for (let end = text.lastIndexOf("}"); end >= 0; end = text.lastIndexOf("}", end - 1)) {
    for (
      let start = text.lastIndexOf("{", end);
      start >= 0;
      start = text.lastIndexOf("{", start - 1)
    ) {
      try {
        const value = JSON.parse(text.slice(start, end + 1));
        if (value && typeof value === "object" && !Array.isArray(value)) return value;
      } catch {
        // Not this span; try a wider one.
      }
    }
  }
  return undefined;
}

/** Reads the judge task's answer into a verdict; `undefined` when the run has no judge. */
export function judgeVerdict(record: RunRecord): JudgeVerdict | undefined {
  const taskId = record.compare?.judge_task;
  const labels = record.compare?.labels;
  if (!taskId || !labels) return undefined;
  const task = record.tasks.find((t) => t.id === taskId);
  if (!task || task.state !== "done") return undefined;
  const output = task.output ?? "";
  const byLabel = new Map(Object.entries(labels).map(([id, label]) => [label.toUpperCase(), id]));
  const reply = lastJsonObject(output);
  const toTask = (value: unknown) =>
    typeof value === "string"
      ? byLabel.get(value.trim().replace(/^Answer\s+/i, "").toUpperCase())
      : undefined;
  const ranking = Array.isArray(reply?.ranking)
    ? [...new Set(reply.ranking.map(toTask).filter((id): id is string => id !== undefined))]
    : [];
  const best = toTask(reply?.best) ?? ranking[0] ?? null;
  return {
    task_id: task.id,
    backend: task.spec.backend,
    session_id: task.session_id,
    ranking,
    best,
    reason: typeof reply?.reason === "string" ? reply.reason : null,
    parsed: ranking.length > 0 || best !== null,
    output,
  };
}
