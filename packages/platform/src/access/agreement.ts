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

export interface Agreement {
  id: string;
  productId: string;
  port: string;
  consumerTeam: string;
  purpose: string;
  /** As of now: a terminating agreement whose notice has ended reads `terminated`. */
  state: AgreementState;
  /** Sensitive columns this agreement may read unmasked. */
  grantedColumns: string[];
  contractId: string | null;
  /** The contract version this agreement reads. */
  contractVersion: string | null;
  /** A newer major version, served once accepted or when `pendingUntil` passes. */
  pendingVersion: string | null;
  pendingUntil: string | null;
  noticeDays: number;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  terminatedBy: string | null;
  noticeEndsAt: string | null;
  updatedAt: string;
}

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
