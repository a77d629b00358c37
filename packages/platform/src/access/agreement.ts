import { z } from "@hono/zod-openapi";

/** The states of a data usage agreement (an access request is an agreement in `requested`). */
export const agreementStates = ["requested", "active", "terminating", "terminated", "rejected"] as const;
export type AgreementState = (typeof agreementStates)[number];

/** Open agreements hold the (product, port, consumer team) slot: a second request is a replay. */
export const openStates: readonly AgreementState[] = ["requested", "active", "terminating"];

export type AgreementAction = "approve" | "reject" | "terminate" | "accept-version";

/** Which action moves which state where (terminate: active → terminating, or a request withdrawn). */
export const transitions: Record<AgreementAction, Partial<Record<AgreementState, AgreementState>>> = {
  approve: { requested: "active" },
  reject: { requested: "rejected" },
  terminate: { requested: "terminated", active: "terminating" },
  "accept-version": { active: "active", terminating: "terminating" },
};

export const AgreementSchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    port: z.string(),
    consumerTeam: z.string(),
    purpose: z.string(),
    /** As of now: a terminating agreement whose notice has ended reads `terminated`. */
    state: z.enum(agreementStates),
    grantedColumns: z.array(z.string()).openapi({ description: "Sensitive columns readable unmasked" }),
    contractId: z.string().nullable(),
    contractVersion: z.string().nullable().openapi({ description: "The contract version this agreement reads" }),
    pendingVersion: z
      .string()
      .nullable()
      .openapi({ description: "A new major version, served once accepted or when pendingUntil passes" }),
    pendingUntil: z.string().nullable(),
    noticeDays: z.number(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionReason: z.string().nullable(),
    terminatedBy: z.string().nullable(),
    noticeEndsAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi("Agreement");
export type Agreement = z.infer<typeof AgreementSchema>;

/** Columns of `agreements` as an Agreement, with the time-based state computed in SQL (never stale). */
export const agreementColumns = `id, product_id AS "productId", port, consumer_team AS "consumerTeam", purpose,
  CASE WHEN state = 'terminating' AND notice_ends_at <= now() THEN 'terminated' ELSE state END AS state,
  granted_columns AS "grantedColumns", contract_id AS "contractId",
  CASE WHEN pending_version IS NOT NULL AND pending_until <= now() THEN pending_version ELSE contract_version END
    AS "contractVersion",
  CASE WHEN pending_until <= now() THEN NULL ELSE pending_version END AS "pendingVersion",
  CASE WHEN pending_until <= now() THEN NULL ELSE pending_until END AS "pendingUntil",
  notice_days AS "noticeDays", requested_by AS "requestedBy", requested_at AS "requestedAt",
  decided_by AS "decidedBy", decided_at AS "decidedAt", decision_reason AS "decisionReason",
  terminated_by AS "terminatedBy", notice_ends_at AS "noticeEndsAt", updated_at AS "updatedAt"`;
