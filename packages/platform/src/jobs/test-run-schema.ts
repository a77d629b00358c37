import { z } from "@hono/zod-openapi";

/** A contract test run against a published contract version (observe lists them). */
export const TestRunSchema = z.object({
  id: z.number(),
  productId: z.string(),
  contractId: z.string(),
  contractVersion: z.string(),
  server: z.string().nullable(),
  status: z.string().openapi({
    description: "running, passed, warning, failed, error, or abandoned (its worker stopped before it finished)",
  }),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  reason: z.string().nullable().openapi({ description: "Why an abandoned run was abandoned" }),
});
