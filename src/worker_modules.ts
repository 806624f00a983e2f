/**
 * Every module clinvk starts as a worker thread (`new Worker(new URL(…, import.meta.url))`),
 * relative to the repository root. `deno compile` does not follow a worker's URL into the
 * binary, so the compile plan includes each (scripts/compile_plan.ts).
 * @module
 */

/** The worker modules (see the module comment). */
export const WORKER_MODULES = ["src/sessions/session_scan_worker.ts"] as const;
