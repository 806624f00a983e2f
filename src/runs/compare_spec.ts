/**
 * The `compare` preset as a run: the same prompt on each backend (K times each with `--n K`),
 * each candidate in its own worktree when a `--check` command decides which passed, and
 * optionally a judge task that ranks the answers.
 * @module
 */
import { answerLabel, judgePrompt } from "./judge.ts";
import {
  DEFAULT_RETRY_DELAY_SECONDS,
  type RunSpec,
  TASK_ID_PATTERN,
  type TaskSpec,
} from "./run_spec.ts";

/** What `clinvk compare` was asked. */
export interface CompareOptions {
  prompt: string;
  backends: string[];
  /** Runs per backend (pass@k). Default 1. */
  n?: number;
  /** Backend that ranks the answers. */
  judge?: string;
  /** Shell command that decides whether a candidate passed (run in its worktree). */
  check?: string;
  /** Worktrees without a check. */
  worktree?: boolean;
  /** One candidate at a time. */
  sequential?: boolean;
  model?: string;
  timeoutSeconds?: number;
  idleTimeoutSeconds?: number;
  ephemeral?: boolean;
}

function safeId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 60);
  return TASK_ID_PATTERN.test(id) ? id : "backend";
}

/**
 * Builds the run of a comparison.
 *
 * @example
 * ```ts
 * compareSpec({ prompt: "explain", backends: ["claude", "codex"], n: 2 }).tasks.map((t) => t.id);
 * // ["claude-1", "claude-2", "codex-1", "codex-2"]
 * ```
 */
export function compareSpec(options: CompareOptions): RunSpec {
  const n = options.n ?? 1;
  const tasks: TaskSpec[] = [];
  const used = new Set<string>();
  const unique = (id: string) => {
    let candidate = id;
    for (let i = 2; used.has(candidate); i++) candidate = `${id}-${i}`;
    used.add(candidate);
    return candidate;
  };
  for (const backend of options.backends) {
    for (let k = 1; k <= n; k++) {
      tasks.push({
        id: unique(n === 1 ? safeId(backend) : `${safeId(backend)}-${k}`),
        backend,
        prompt: options.prompt,
        needs: [],
        ephemeral: options.ephemeral ?? false,
        retries: 0,
        retry_delay_seconds: DEFAULT_RETRY_DELAY_SECONDS,
        worktree: Boolean(options.check || options.worktree),
        tags: ["compare"],
        ...(options.model ? { model: options.model } : {}),
        ...(options.check ? { check: options.check } : {}),
        ...(options.timeoutSeconds ? { timeout_seconds: options.timeoutSeconds } : {}),
        ...(options.idleTimeoutSeconds ? { idle_timeout_seconds: options.idleTimeoutSeconds } : {}),
      });
    }
  }
  const spec: RunSpec = {
    kind: "compare",
    tasks,
    ...(options.sequential ? { max_parallel: 1 } : { max_parallel: Math.max(1, tasks.length) }),
    compare: { prompt: options.prompt, backends: options.backends, n },
  };
  if (options.judge) {
    const labels = Object.fromEntries(tasks.map((task, i) => [task.id, answerLabel(i)]));
    const judgeId = unique("judge");
    spec.tasks.push({
      id: judgeId,
      name: "judge",
      backend: options.judge,
      prompt: judgePrompt(options.prompt, labels),
      needs: tasks.map((task) => task.id),
      ephemeral: options.ephemeral ?? false,
      retries: 0,
      retry_delay_seconds: DEFAULT_RETRY_DELAY_SECONDS,
      worktree: false,
      tags: ["compare", "judge"],
      after_failure: true,
    });
    spec.compare = { ...spec.compare!, judge_task: judgeId, labels };
  }
  return spec;
}
