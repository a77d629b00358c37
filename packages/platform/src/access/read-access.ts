import { NotAllowedError } from "@quanta/core";
import { AuditLog } from "../audit/audit-log.js";
import { authorize } from "../identity/authorize.js";
import { hasRole, type Principal, teamRole } from "../identity/principal.js";
import type { Queryable } from "../storage/database.js";
import { type Agreement, agreementColumns } from "./agreement.js";

/** Why a read is allowed. */
export type ReadBasis = "owner" | "agreement" | "public";

export interface ReadGrant {
  basis: ReadBasis;
  agreement: Agreement | undefined;
  /** Sensitive columns readable unmasked ("all" for the owner team). */
  unmasked: "all" | string[];
  /** The contract version the read resolves to (an agreement's pinned version), undefined = the port's. */
  contractVersion: string | undefined;
}

/**
 * Who may read a port, decided before any data is touched (ADR 0014): signed in (401), then the
 * owner team, an active (or terminating, within its notice) agreement of one of the caller's teams,
 * or a public port (403 otherwise). Every refusal is written to the audit log with its reason.
 */
export async function decideRead(
  q: Queryable,
  input: { productId: string; ownerTeam: string | null; port: string; isPublic: boolean; action?: string },
  principal: Principal | undefined,
): Promise<ReadGrant> {
  const audit = new AuditLog(q);
  const deny = async (reason: string) => {
    await audit.append({
      actor: principal?.name ?? "anonymous",
      action: input.action ?? "consume",
      productId: input.productId,
      port: input.port,
      decision: "denied",
      reason,
    });
  };
  try {
    authorize(principal, "product.consume", { id: input.productId, ownerTeam: input.ownerTeam });
  } catch (e) {
    await deny((e as Error).message);
    throw e;
  }
  const p = principal as Principal;
  if (input.ownerTeam && teamRole(p, input.ownerTeam)) {
    return { basis: "owner", agreement: undefined, unmasked: "all", contractVersion: undefined };
  }
  const teams = p.teams.map((t) => t.team);
  const { rows } = await q.query<Agreement>(
    `SELECT * FROM (SELECT ${agreementColumns} FROM agreements
       WHERE product_id = $1 AND port = $2 AND consumer_team = ANY($3::text[])) a
     WHERE state IN ('active', 'terminating') ORDER BY "requestedAt" LIMIT 1`,
    [input.productId, input.port, teams],
  );
  const agreement = rows[0];
  if (agreement) {
    return {
      basis: "agreement",
      agreement,
      unmasked: agreement.grantedColumns,
      contractVersion: agreement.contractVersion ?? undefined,
    };
  }
  if (input.isPublic) return { basis: "public", agreement: undefined, unmasked: [], contractVersion: undefined };
  const reason =
    teams.length === 0
      ? `you belong to no team; a team needs an active data usage agreement for port ${input.port} of ${input.productId} (POST /api/access-requests)`
      : `none of your teams (${teams.join(", ")}) has an active data usage agreement for port ${input.port} of ${input.productId}; request one: POST /api/access-requests`;
  // Governance and admins oversee the mesh; reading its data takes an agreement like anyone else.
  const message = hasRole(p, "admin") ? `${reason} (admins too)` : reason;
  await deny(message);
  throw new NotAllowedError(message);
}
