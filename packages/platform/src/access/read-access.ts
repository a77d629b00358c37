import { NotAllowedError, NotFoundError } from "@quanta/core";
import { AuditLog } from "../audit/audit-log.js";
import type { DataLocator } from "../harness/data-locator.js";
import { portContract, portOf } from "../harness/port-data.js";
import { type LocatedDataset, type PortSource, portSource } from "../harness/port-source.js";
import { authorize } from "../identity/authorize.js";
import { hasRole, type Principal, teamRole } from "../identity/principal.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Queryable } from "../storage/database.js";
import { type Agreement, agreementColumns } from "./agreement.js";
import { type PortAccess, portAccess } from "./port-access.js";

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

/** A dataset as this reader may see it: the columns masked for them and the row filters that apply. */
export interface PlannedDataset extends LocatedDataset {
  masked: string[];
  rowFilters: string[];
}

/** Everything a read needs, decided once before any data is touched. */
export interface ReadPlan {
  productId: string;
  port: string;
  basis: ReadBasis;
  agreement: Agreement | undefined;
  /** The contract version read: the port's, or the one the reader's agreement is pinned to. */
  contractVersion: string;
  datasets: PlannedDataset[];
  /** Where the data is and which engine reads it. */
  source: PortSource;
  /** Audits the allowed read's outcome (its refusal, if any, is audited by planRead itself). */
  audit(outcome: { rows: number; reason: string | null; sql: string }): Promise<void>;
}

/**
 * Plans one read of an output port: who is asking (401, before anything is looked up), the product and port (404) and its
 * contract (422), the basis of the read (owner team, agreement or public port; 403 otherwise, ADR
 * 0014), the contract version the agreement pins, and per dataset the masked columns and the row
 * filters. Both outcomes are audited: a refusal here, the served read through `plan.audit`.
 */
export async function planRead(
  q: Queryable,
  locator: DataLocator,
  request: { productId: string; port: string; action?: string },
  principal: Principal | undefined,
): Promise<ReadPlan> {
  const { productId } = request;
  const action = request.action ?? "consume";
  const actor = principal?.name ?? "anonymous";
  // Anonymous calls are refused before any product is looked up (and, being no one, not audited).
  if (!principal) authorize(principal, "product.consume", { id: productId, ownerTeam: null });
  const product = await new ProductRepository(q).get(productId);
  if (!product) throw new NotFoundError(`no data product "${productId}"`);
  const port = portOf(product, request.port, ["output"]);
  const current = await portContract(q, productId, port);
  const grant = await decideRead(
    q,
    {
      productId,
      ownerTeam: product.team ?? null,
      port: port.name,
      isPublic: portAccess(product.document, port.name, current.contract).public,
      action,
    },
    principal,
  );
  // An agreement still on the previous major version reads that version until it moves on.
  const pc =
    grant.contractVersion && grant.contractVersion !== current.contractVersion
      ? await portContract(q, productId, port, grant.contractVersion)
      : current;
  const source = await portSource(q, pc, locator);
  const datasets = protectDatasets(
    source.datasets,
    portAccess(product.document, port.name, pc.contract),
    grant.unmasked,
  );
  return {
    productId,
    port: port.name,
    basis: grant.basis,
    agreement: grant.agreement,
    contractVersion: pc.contractVersion,
    datasets,
    source,
    audit: ({ rows, reason, sql }) =>
      new AuditLog(q)
        .append({
          actor,
          action,
          productId,
          port: port.name,
          agreementId: grant.agreement?.id ?? null,
          decision: "allowed",
          reason,
          rows,
          purpose: grant.agreement?.purpose ?? null,
          details: {
            basis: grant.basis,
            contractVersion: pc.contractVersion,
            server: source.serverName,
            masked: [...new Set(datasets.flatMap((d) => d.masked))],
            rowFilters: [...new Set(datasets.flatMap((d) => d.rowFilters))],
            sql: sql.slice(0, 2000),
          },
        })
        .then(
          () => {},
          () => {},
        ),
  };
}

/**
 * Each dataset as a reader with these rights sees it: its sensitive columns masked unless granted
 * (`all`: the owner team), and the port's row filters. The one rule for consume and store grants.
 */
export function protectDatasets(
  datasets: readonly LocatedDataset[],
  access: PortAccess,
  unmasked: "all" | readonly string[],
): PlannedDataset[] {
  return datasets.map((d) => {
    const declared = access.datasets.find((a) => a.name === d.name);
    const masked = (declared?.sensitive ?? []).filter(
      (c) => unmasked !== "all" && !unmasked.some((g) => g.toLowerCase() === c.toLowerCase()),
    );
    return { ...d, masked, rowFilters: declared?.rowFilters ?? [] };
  });
}

/**
 * Who may read a port, decided before any data is touched (ADR 0014): signed in (401), then the
 * owner team, an active (or terminating, within its notice) agreement of one of the caller's teams,
 * or a public port (403 otherwise). Every refusal is written to the audit log with its reason.
 */
async function decideRead(
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
