/**
 * Pieces of the OpenAPI document that several routes share: clinvk's request headers and the
 * JSON body wrapper.
 * @module
 */
import { z } from "@hono/zod-openapi";

/** clinvk's request headers, documented (and read by `request_headers.ts`). */
export const ClinvkHeaderParams = z.object({
  "x-clinvk-session": z.string().optional().openapi({
    description: "Continue this clinvk session (its backend resumes; only the new turn is sent)",
  }),
  "x-clinvk-ephemeral": z.string().optional().openapi({
    description: "1: run without recording a session",
  }),
  "x-clinvk-wait": z.string().optional().openapi({
    description: "1: wait for a busy session instead of answering 409",
  }),
  "x-clinvk-workdir": z.string().optional().openapi({
    description: "Directory a new session runs in (within server.allowed_workdirs)",
  }),
});

/** A required JSON request body with `schema`. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { "application/json": { schema } },
  };
}
