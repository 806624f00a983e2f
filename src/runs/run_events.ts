/**
 * What a run reports while it runs: the events of `-o stream-json`, the live view and
 * `GET /runs/{id}/events`. Each is one JSON object with a `type`.
 * @module
 */
import type { TokenUsage, UnifiedEvent } from "../backends/types.ts";
import type { CheckResult, RunStatus, TaskState } from "./run_record.ts";
import type { RunKind } from "./run_spec.ts";

/** An event of a run. `time` is RFC 3339 UTC. */
export type RunEvent =
  | {
    type: "run_started";
    run_id: string;
    kind: RunKind;
    /** True for `runs resume`. */
    resumed: boolean;
    max_parallel: number;
    tasks: { id: string; backend: string; needs: string[]; state: TaskState }[];
    time: string;
  }
  | {
    type: "task_started";
    run_id: string;
    task_id: string;
    backend: string;
    attempt: number;
    time: string;
  }
  | {
    /** One unified event of a task's backend, wrapped with its task id. */
    type: "task_event";
    run_id: string;
    task_id: string;
    session_id?: string;
    event: UnifiedEvent;
  }
  | {
    type: "task_retry";
    run_id: string;
    task_id: string;
    /** The attempt that failed. */
    attempt: number;
    delay_seconds: number;
    error: string;
    error_class: string;
    time: string;
  }
  | {
    type: "task_done";
    run_id: string;
    task_id: string;
    backend: string;
    state: TaskState;
    session_id: string | null;
    exit_code: number | null;
    duration_seconds: number | null;
    token_usage: TokenUsage;
    error?: string;
    /** Why a task was skipped or canceled. */
    reason?: string;
    check?: CheckResult;
    time: string;
  }
  | {
    type: "budget_exceeded";
    run_id: string;
    max_tokens: number;
    used: number;
    time: string;
  }
  | {
    type: "run_done";
    run_id: string;
    status: RunStatus;
    exit_code: number;
    counts: Record<TaskState, number>;
    token_usage: TokenUsage;
    duration_seconds: number;
    time: string;
  };

/** Receives run events. */
export type RunEventListener = (event: RunEvent) => void;
