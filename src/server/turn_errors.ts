/**
 * How a turn's failure becomes an {@linkcode ApiError}: a backend that ran and failed maps by
 * its error class (auth → 502, rate limit → 429, overloaded → 503/529, timeout → 504, bad
 * request → 400); an error thrown before the backend started maps by clinvk's exit code.
 * @module
 */
import { ClinvkError, diskErrorHint, ExitCode } from "../errors.ts";
import type { TurnReport } from "../turns/engine.ts";
import { ApiError } from "./api_error.ts";

/** Seconds a client is asked to wait after a backend rate limit or overload. */
export const BACKEND_RETRY_AFTER_SECONDS = 30;

/** The error for a turn that ran and failed (`report.exitCode !== 0`). */
export function errorFromReport(report: TurnReport): ApiError {
  const backend = report.backend;
  const reason = report.error ?? `the backend exited with code ${report.exitCode}`;
  switch (report.errorClass) {
    case "auth":
      return new ApiError(
        "backend_auth",
        `The ${backend} backend could not authenticate: ${reason} (log the ${backend} CLI in on the server machine)`,
      );
    case "rate_limit":
      return new ApiError("rate_limit", `The ${backend} backend is rate limited: ${reason}`, {
        retryAfterSeconds: BACKEND_RETRY_AFTER_SECONDS,
        code: "backend_rate_limited",
      });
    case "overloaded":
      return new ApiError("overloaded", `The ${backend} backend is overloaded: ${reason}`, {
        retryAfterSeconds: BACKEND_RETRY_AFTER_SECONDS,
      });
    case "timeout":
      return new ApiError("timeout", `The ${backend} backend timed out: ${reason}`);
    case "bad_request":
      return new ApiError(
        "invalid_request",
        `The ${backend} backend refused the request: ${reason}`,
        {
          code: "backend_bad_request",
        },
      );
    case "not_found":
      return new ApiError("not_found", `The ${backend} backend lost the conversation: ${reason}`, {
        code: "backend_session_not_found",
      });
    case "network":
      return new ApiError(
        "backend_failed",
        `The ${backend} backend cannot reach its API: ${reason}`,
        { code: "backend_unreachable", retryable: true },
      );
    case "interrupted":
      return new ApiError("unavailable", `The ${backend} turn was stopped: ${reason}`, {
        code: "turn_interrupted",
        retryable: true,
      });
    default:
      return new ApiError("backend_failed", `The ${backend} backend failed: ${reason}`);
  }
}

/** The error for anything a turn threw before (or instead of) running the backend. */
export function errorFromThrown(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ClinvkError) return fromClinvkError(error);
  if (
    error instanceof Error && (error.name === "NotCapable" || error.name === "PermissionDenied")
  ) {
    return new ApiError("internal", `The server lacks a Deno permission: ${error.message}`, {
      code: "permission_missing",
    });
  }
  const diskHint = diskErrorHint(error);
  if (diskHint) {
    return new ApiError("unavailable", `Cannot write the session store: ${messageOf(error)}`, {
      code: "store_unwritable",
    });
  }
  return new ApiError("internal", `Unexpected server error: ${messageOf(error)}`);
}

function fromClinvkError(error: ClinvkError): ApiError {
  const text = error.hint ? `${sentence(error.message)} ${error.hint}` : error.message;
  switch (error.exitCode) {
    case ExitCode.Usage:
      return new ApiError("invalid_request", text);
    case ExitCode.BackendNotFound:
      return new ApiError("unavailable", text, { code: "backend_not_installed", retryable: false });
    case ExitCode.SessionNotFound:
      return new ApiError("not_found", text, { code: "session_not_found" });
    case ExitCode.Busy:
      // Exit 5 is either a session another process is driving, or the store lock timing out.
      return / in use by /.test(error.message)
        ? new ApiError(
          "conflict",
          `${sentence(error.message)} Send X-Clinvk-Wait: 1 to wait for it instead.`,
          { code: "session_busy" },
        )
        : new ApiError("unavailable", text, { code: "store_busy", retryable: true });
    case ExitCode.BudgetExceeded:
      // A daily session.budget of the server's config: not the backend's failure, and not
      // worth an SDK's automatic retries (the budget lasts until the day ends).
      return new ApiError(
        "rate_limit",
        `${sentence(error.message)} Raise the budget in the server's config.yaml, or wait ` +
          "until tomorrow.",
        { code: "budget_exceeded", limit: "tokens", retryable: false },
      );
    default:
      return new ApiError("backend_failed", text);
  }
}

function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
