import { z } from "@hono/zod-openapi";

/** What the govern interface answers: policy results and certification. */
export const GovernanceSchema = z
  .object({
    productId: z.string(),
    version: z.string(),
    evaluatedAt: z.string(),
    policyEngine: z.enum(["available", "unavailable"]),
    policy: z
      .object({ name: z.string(), version: z.string(), revision: z.number() })
      .nullable()
      .openapi({ description: "The policy set in force: Quanta's defaults + applied sets, and its revision" }),
    /** History: GET /api/products/{id}/evaluations. */
    evaluation: z
      .object({ id: z.number(), trigger: z.string(), productVersion: z.string() })
      .nullable()
      .openapi({ description: "The stored evaluation the results come from" }),
    policies: z.array(
      z.object({
        rule: z.string(),
        severity: z.string(),
        status: z.string(),
        message: z.string().nullable(),
        levels: z.array(z.string()).optional(),
      }),
    ),
    /** Computed on read from the latest evaluation and the contract tests now. */
    certification: z
      .object({
        level: z.string().nullable(),
        status: z.enum(["certified", "not-certified", "not-evaluated"]),
        reason: z.string(),
        reasons: z.array(z.string()),
        validUntil: z.string().nullable(),
      })
      .openapi({ description: "Computed on read: lapses by itself when tests leave their SLA window" }),
    /** What the platform knows without the policy engine: lint findings and the latest test status per contract. */
    known: z.object({
      lint: z.object({ errors: z.number(), warnings: z.number(), issues: z.array(z.record(z.string(), z.unknown())) }),
      contractTests: z.array(
        z.object({ contractId: z.string(), status: z.string(), finishedAt: z.string().nullable() }),
      ),
    }),
  })
  .openapi("Governance");
