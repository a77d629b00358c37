import type { Agreement } from "../api/types.js";

/** An agreement as the API answers it, for the marketplace's unit tests; `state` may be any text. */
export function agreementOf(
  fields: { id: string; state: string; requestedAt?: string } & Omit<Partial<Agreement>, "state">,
): Agreement {
  const requestedAt = fields.requestedAt ?? "2026-01-01";
  return {
    productId: "sales.orders",
    port: "orders",
    consumerTeam: "marketing-analytics",
    purpose: "attribution",
    grantedColumns: [],
    contractId: "sales.orders.orders",
    contractVersion: "1.3.0",
    pendingVersion: null,
    pendingUntil: null,
    noticeDays: 30,
    requestedBy: "mia",
    decidedBy: null,
    decidedAt: null,
    decisionReason: null,
    terminatedBy: null,
    noticeEndsAt: null,
    updatedAt: requestedAt,
    ...fields,
    requestedAt,
    // Any text: the marketplace must cope with a state it does not know yet.
    state: fields.state as Agreement["state"],
  };
}
