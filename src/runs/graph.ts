/**
 * The run graph: which task waits for which. Completes each task's `needs` with the tasks its
 * templates, `resume` and `fork` name (they cannot run before those), and checks the graph:
 * unique ids, known needs, no cycles, unambiguous `{{previous}}`, and no two tasks driving one
 * session at once.
 * @module
 */
import type { SessionRef, TaskSpec } from "./run_spec.ts";
import { TEMPLATE_FIELDS, templateRefs } from "./templates.ts";

/** A problem with one task, by its position in the run, for `file:line:column` messages. */
export interface GraphProblem {
  task_index: number;
  field: "id" | "needs" | "prompt" | "resume" | "fork" | "ephemeral";
  message: string;
}

/** Result of {@linkcode resolveGraph}. */
export interface ResolvedGraph {
  /** The tasks with implicit needs added (same order). */
  tasks: TaskSpec[];
  /** Empty when the graph is valid. */
  problems: GraphProblem[];
}

function refTask(ref: SessionRef | undefined): string | undefined {
  return ref?.kind === "task" ? ref.task_id : undefined;
}

/**
 * Adds implicit needs and validates the graph. `{{previous}}` stands for `task.previous` when
 * set (chains), else for the one task listed in `needs`.
 *
 * @example
 * ```ts ignore
 * const { tasks } = resolveGraph([plan, { ...implement, prompt: "Do {{tasks.plan.output}}" }]);
 * tasks[1].needs; // ["plan"]
 * ```
 */
export function resolveGraph(input: readonly TaskSpec[]): ResolvedGraph {
  const problems: GraphProblem[] = [];
  const ids = new Map<string, number>();
  input.forEach((task, index) => {
    if (ids.has(task.id)) {
      problems.push({
        task_index: index,
        field: "id",
        message: `duplicate task id "${task.id}" (also task ${ids.get(task.id)! + 1})`,
      });
    } else ids.set(task.id, index);
  });
  const byId = new Map(input.map((task) => [task.id, task]));
  const tasks = input.map((task, index) => {
    const report = (field: GraphProblem["field"], message: string) =>
      problems.push({ task_index: index, field, message });
    const needs = [...task.needs];
    for (const need of task.needs) {
      if (need === task.id) report("needs", `task "${task.id}" cannot need itself`);
      else if (!byId.has(need)) report("needs", `unknown task "${need}" in needs`);
    }
    const add = (id: string) => {
      if (id !== task.id && byId.has(id) && !needs.includes(id)) needs.push(id);
    };
    let previous = task.previous;
    for (const ref of templateRefs(task.prompt)) {
      if (ref.kind === "previous") {
        if (previous === undefined && task.needs.length === 1) previous = task.needs[0];
        if (previous === undefined) {
          report(
            "prompt",
            `{{previous}} needs exactly one task in needs (this task has ${task.needs.length}); ` +
              `name one with {{tasks.<id>.output}}`,
          );
        }
        continue;
      }
      if (!(TEMPLATE_FIELDS as readonly string[]).includes(ref.field)) {
        report(
          "prompt",
          `unknown field "${ref.field}" in ${ref.text} (use ${TEMPLATE_FIELDS.join(" or ")})`,
        );
      } else if (ref.task_id === task.id) {
        report("prompt", `${ref.text} refers to this task itself`);
      } else if (!byId.has(ref.task_id)) {
        report("prompt", `${ref.text} refers to unknown task "${ref.task_id}"`);
      } else if (ref.field === "session_id" && byId.get(ref.task_id)!.ephemeral) {
        report("prompt", `${ref.text}: task "${ref.task_id}" is ephemeral and has no session`);
      }
      add(ref.task_id);
    }
    for (const field of ["resume", "fork"] as const) {
      const target = refTask(task[field]);
      if (target === undefined) continue;
      if (task.ephemeral) report("ephemeral", `an ephemeral task cannot ${field} a session`);
      if (target === task.id) report(field, `task "${task.id}" cannot ${field} itself`);
      else if (!byId.has(target)) report(field, `${field}: unknown task "${target}"`);
      else if (byId.get(target)!.ephemeral) {
        report(field, `${field}: task "${target}" is ephemeral and has no session`);
      }
      add(target);
    }
    if (task.ephemeral && (task.resume || task.fork) && !refTask(task.resume ?? task.fork)) {
      report("ephemeral", "an ephemeral task cannot resume or fork a session");
    }
    if (previous !== undefined) add(previous);
    return { ...task, needs, ...(previous !== undefined ? { previous } : {}) };
  });
  const cycle = findCycle(tasks);
  if (cycle) {
    problems.push({
      task_index: ids.get(cycle[0]!)!,
      field: "needs",
      message: `tasks depend on each other in a cycle: ${cycle.join(" → ")}`,
    });
  } else {
    problems.push(...sharedResumes(tasks));
  }
  return { tasks, problems };
}

/** A cycle as a list of ids (first repeated at the end), or `undefined`. */
function findCycle(tasks: readonly TaskSpec[]): string[] | undefined {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const need of byId.get(id)?.needs ?? []) {
      if (!byId.has(need)) continue;
      const found = visit(need);
      if (found) return found;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const task of tasks) {
    const found = visit(task.id);
    if (found) return found.reverse();
  }
  return undefined;
}

/** Two tasks that resume one session must be ordered, or both would drive it at once. */
function sharedResumes(tasks: readonly TaskSpec[]): GraphProblem[] {
  const bySession = new Map<string, number[]>();
  tasks.forEach((task, index) => {
    if (!task.resume) return;
    const key = task.resume.kind === "task"
      ? `task:${task.resume.task_id}`
      : task.resume.session_id;
    bySession.set(key, [...bySession.get(key) ?? [], index]);
  });
  const problems: GraphProblem[] = [];
  const ancestors = ancestorSets(tasks);
  for (const [session, indexes] of bySession) {
    for (let i = 1; i < indexes.length; i++) {
      const a = tasks[indexes[i - 1]!]!;
      const b = tasks[indexes[i]!]!;
      if (ancestors.get(b.id)!.has(a.id) || ancestors.get(a.id)!.has(b.id)) continue;
      problems.push({
        task_index: indexes[i]!,
        field: "resume",
        message: `tasks "${a.id}" and "${b.id}" both resume ${session}; ` +
          `add one to the other's needs, or fork instead`,
      });
    }
  }
  return problems;
}

/** Every task's transitive needs. The graph must be acyclic. */
export function ancestorSets(tasks: readonly TaskSpec[]): Map<string, Set<string>> {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const memo = new Map<string, Set<string>>();
  const of = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const set = new Set<string>();
    memo.set(id, set);
    for (const need of byId.get(id)?.needs ?? []) {
      set.add(need);
      for (const above of of(need)) set.add(above);
    }
    return set;
  };
  for (const task of tasks) of(task.id);
  return memo;
}

/** Task ids in an order where every task comes after its needs (ties by position). */
export function topologicalOrder(tasks: readonly TaskSpec[]): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const place = (id: string) => {
    if (placed.has(id)) return;
    placed.add(id);
    for (const need of byId.get(id)?.needs ?? []) place(need);
    order.push(id);
  };
  for (const task of tasks) place(task.id);
  return order;
}
