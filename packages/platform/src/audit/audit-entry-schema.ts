import { z } from "@hono/zod-openapi";

/** One row of the append-only audit log. */
export const AuditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    productId: z.string().nullable(),
    port: z.string().nullable(),
    agreementId: z.string().nullable(),
    decision: z.enum(["allowed", "denied", "recorded"]),
    reason: z.string().nullable(),
    rows: z.number().nullable(),
    purpose: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEntry");
