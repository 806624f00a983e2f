/**
 * Request and response schemas of clinvk's REST API (`/api/v1`), the same ones the handlers
 * validate with and `GET /openapi.json` publishes.
 * @module
 */
import { z } from "@hono/zod-openapi";
import { SESSION_STATUSES } from "../../sessions/record.ts";

/** `POST /api/v1/prompt`. */
export const PromptRequest = z.object({
  prompt: z.string().min(1).openapi({ example: "Explain this repository" }),
  backend: z.string().optional().openapi({ description: "Default: default_backend" }),
  model: z.string().optional().openapi({ description: "Alias (fast, balanced, best) or model" }),
  session_id: z.string().optional().openapi({ description: "Continue this session" }),
  workdir: z.string().optional().openapi({
    description: "Directory of a new session (within server.allowed_workdirs)",
  }),
  ephemeral: z.boolean().optional().openapi({ description: "Record no session" }),
  system_prompt: z.string().optional(),
  tags: z.array(z.string().min(1)).optional().openapi({ description: "Added to the api tag" }),
  title: z.string().optional(),
  wait: z.boolean().optional().openapi({ description: "Wait for a busy session instead of 409" }),
  stream: z.boolean().optional().openapi({
    description: "Answer with NDJSON unified events (as clinvk -o stream-json) instead of JSON",
  }),
}).openapi("PromptRequest");

/**
 * `POST /api/v1/sessions/{id}/fork`. Without `prompt` only the fork is made (as
 * `clinvk sessions fork <id>`); its first prompt then goes to `POST /api/v1/prompt`.
 */
export const ForkRequest = PromptRequest.pick({
  model: true,
  system_prompt: true,
  tags: true,
  stream: true,
}).extend({
  prompt: z.string().min(1).optional().openapi({
    description: "The fork's first prompt. Without it the fork is made (201, its record) and " +
      "forks the backend session on its first turn",
  }),
}).openapi("ForkRequest");

/** The result of a turn: the object `clinvk -o json` prints. */
export const TurnResult = z.object({
  session_id: z.string().optional(),
  backend: z.string(),
  backend_session_id: z.string().nullable(),
  model: z.string().nullable(),
  status: z.string(),
  content: z.string(),
  exit_code: z.number().int(),
  duration_seconds: z.number(),
  token_usage: z.object({
    input: z.number().int(),
    output: z.number().int(),
    cached: z.number().int(),
    total: z.number().int(),
  }),
  error: z.string().optional(),
}).openapi("TurnResult");

/** A session record (as `clinvk sessions show --json`); further fields may appear. */
export const SessionRecordSchema = z.looseObject({
  id: z.string(),
  backend: z.string(),
  backend_session_id: z.string().nullable(),
  model: z.string().nullable(),
  status: z.enum(SESSION_STATUSES),
  created_at: z.string(),
  last_used_at: z.string(),
  workdir: z.string(),
  prompt: z.string(),
  tags: z.array(z.string()),
  turn_count: z.number().int(),
}).openapi("SessionRecord");

/** Query of `GET /api/v1/sessions`: the filters of `clinvk sessions list`. */
export const SessionListQuery = z.object({
  backend: z.string().optional(),
  status: z.enum(SESSION_STATUSES).optional(),
  tag: z.union([z.string(), z.array(z.string())]).optional().openapi({
    description: "Repeat for AND",
  }),
  limit: z.coerce.number().int().positive().optional(),
  resumable: z.enum(["true", "false"]).optional(),
});

/** One backend of `GET /api/v1/backends`. */
export const BackendSchema = z.object({
  name: z.string(),
  kind: z.enum(["builtin", "custom"]),
  label: z.string(),
  command: z.string(),
  available: z.boolean(),
  path: z.string().nullable().openapi({ description: "The executable that would run" }),
  reason: z.string().nullable().openapi({ description: "Why it is not available" }),
  default_model: z.string().nullable(),
  aliases: z.record(z.string(), z.string()),
}).openapi("Backend");

/** The error object of the REST API. */
export const RestErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
}).openapi("Error");
